# Common: greeting, general errors, formatting.
greeting = Hello { $name }! I am the online public services assistant of Sơn La province.
error-internal = Something went wrong. Please try again in a few minutes.
error-portal-unreachable = The public services portal cannot be reached right now. Your data is kept; please try again later.
state-reset = Your previous conversation could not be resumed after a system upgrade. Let's start again from the main menu.
dossier-count =
    { $count ->
        [0] You have no dossiers yet.
        [one] You have one dossier.
       *[other] You have { $count } dossiers.
    }

## Invalid values (codes from src/domain).
invalid-full-name = A full name has only letters (diacritics allowed) and spaces: at least 2 letters, at most 100 characters.
invalid-cccd-format = A citizen ID (CCCD) has exactly 12 digits.
invalid-cccd-province = The first three digits of a CCCD must be a valid province code (014 is Sơn La).
invalid-tax-code = A tax code has 10 digits, or 10 digits, a dash and the 3 digits of a branch.
invalid-birth-date-format = Write the date of birth as day/month/year, for example 05/01/1990, and it must be a real date.
invalid-birth-date-past = The date of birth must be in the past, from 1900 on.
invalid-birth-date-age = You must be at least 14 years old to register.
invalid-phone = The phone number must be a Vietnamese mobile number of 10 digits, for example 0912345678.
invalid-email = That e-mail address is not valid; for example: name@example.vn.
invalid-password-length = The password must be 8 to 64 characters long.
invalid-password-mix = The password must contain at least one letter and one digit.
invalid-money = An amount has digits only, for example 150000 or 150.000.
invalid-dossier-code = A dossier code looks like 000.00.25.H50-261125-0001 (agency code, date received, sequence number).
invalid-organisation-name = An organisation's name has letters, digits, spaces and . , &amp; ( ) - /, from 2 to 200 characters.
invalid-value = The portal does not accept this value. Please enter it again.
