# Conversation: first contact, language, consent, menu, help.
menu-intro = Choose an item from the menu below, or type /help for guidance.
menu-services = Public services
menu-my-dossiers = My dossiers
menu-lookup = Look up a dossier
menu-account = Account
menu-help = Help
language-ask = Vui lòng chọn ngôn ngữ / Please choose a language:
language-vi = Tiếng Việt
language-en = English
language-set = English selected.
consent-statement =
    <b>Consent to the processing of personal data</b>
    To register, log in and submit dossiers, the assistant collects your full name, citizen ID (CCCD) or tax code, date of birth, phone number, e-mail, address and the papers you send. They are used only to carry out the public service you ask for, passed to the province's public services portal and shared with no one else (Personal Data Protection Law No. 91/2025/QH15).
    You can see what the assistant keeps with /mydata and erase it with /deleteme at any time.
consent-agree = I agree
consent-decline = I decline
consent-agree-qr = 📷 Agree and photograph the QR code on my CCCD
consent-thanks = Thank you for agreeing.
consent-declined = Without your consent the assistant will not ask for personal data. You can still look up a dossier by its code.
help =
    <b>Online public services assistant</b>
    { $commands }

    For example: /submit 1.001193 submits a dossier for procedure 1.001193. Drafts are kept when you /cancel.
cancelled = Cancelled. Your drafts, if any, are kept.
cancel-nothing = Nothing to cancel.
unknown-command = I don't know that command. Type /help to see the commands.
stale-button = This button is outdated; please use the newest message.
cmd-start = Start
cmd-register = Create an account
cmd-login = Log in
cmd-status = Look up a dossier by code
cmd-language = Change language
cmd-account = Your account
cmd-mydata = My data
cmd-cancel = Leave what you are doing
cmd-logout = Log out
cmd-deleteme = Erase my data
cmd-help = Help
button-skip = Skip
button-cancel = Cancel
button-register = Register
button-login = Log in
button-logout = Log out

# Hints when an answer is not what the step expects.
hint-idle = Please choose an item from the menu below or type /help.
hint-language = Please press a button to choose a language.
hint-consent = Please press "I agree" or "I decline" on the message above.
hint-unexpected = I am waiting for the answer to this question:
hint-review = Please check the details and press "Confirm registration" or one of the "Edit" buttons.
hint-kind = Please choose the account type with the buttons below.
hint-login-username = Please enter your username (citizen ID, tax code or phone number).
hint-login-password = Please enter your password.
hint-lookup = Please enter a dossier code, for example 000.00.25.H50-261125-0001.
hint-confirm-delete = Please press one of the two buttons on the message above.

# Account: register, log in, log out.
ask-kind = Which type of account?
kind-citizen = Citizen
kind-organisation = Organisation, business
kind-chosen =
    ✔️ Account type: <b>{ $kind ->
        [organisation] Organisation, business
       *[citizen] Citizen
    }</b>
register-or-qr = A citizen with a chip CCCD can press "Photograph the QR code on my CCCD" to fill in the name, citizen ID, date of birth and address.
register-qr-button = 📷 Photograph the QR code on my CCCD
register-ask-qr =
    Send a photo of the QR code on the back of your chip CCCD (sharp, well lit, the whole code in the picture).
    The assistant only reads the code to fill in your details; it does not keep the photo.
register-qr-send-photo = Please send a photo of the QR code on the back of your CCCD, or press "Type instead" to enter each detail.
register-type-instead = ⌨️ Type instead
register-qr-unreadable = No QR code could be read in this photo. You can take another (closer, well lit) with "Photograph the QR code on my CCCD", or type your details as follows.
register-qr-download-failed = The photo could not be fetched from Telegram. You can send it again with "Photograph the QR code on my CCCD", or type your details as follows.
register-qr-not-cccd = The QR code in the photo is not a CCCD's. Photograph the QR code on the back of your chip CCCD, or type your details as follows.
register-qr-bad-field = The CCCD's QR code holds a detail that cannot be used to register:
register-qr-birth-mismatch = The date of birth on the CCCD differs from the one you typed, so the assistant did not use the QR code. Please check it and type your details as follows.
register-qr-filled =
    <b>Read from your CCCD</b>
    Full name: { $name }
    Citizen ID: { $id_number }
    Date of birth: { $birth_date }
    Address: { $address }
    If something is not right, press the button to edit it below.
register-ask-name =
    { $kind ->
        [organisation] Enter the organisation's name:
       *[citizen] Enter your full name (with diacritics), for example: Lò Văn Mến
    }
register-ask-id-number =
    { $kind ->
        [organisation] Enter the organisation's tax code (10 digits, or 10 digits-3 digits for a branch):
       *[citizen] Enter your citizen ID (CCCD) number, 12 digits:
    }
register-ask-birth-date =
    { $kind ->
        [organisation] Enter the representative's date of birth as day/month/year, for example 05/01/1990:
       *[citizen] Enter your date of birth as day/month/year, for example 05/01/1990:
    }
register-ask-phone = Press the "Share my phone number" button below to send this Telegram account's phone number.
register-share-phone = Share my phone number
register-phone-use-button = To make sure the number is yours, please press "Share my phone number" instead of typing it.
register-phone-not-own = That is not your own phone number. Please press "Share my phone number" to send this Telegram account's number.
register-phone-received = ✔️ Phone number { $phone } received.
register-ask-email = Enter your e-mail address (optional), or press "Skip":
register-ask-address = Enter your contact address (house number, hamlet, commune or ward, province):
register-ask-password =
    Choose a password for your public services portal account: 8 to 64 characters, with at least one letter and one digit.
    The message with your password will be deleted at once; the assistant does not keep it.
invalid-address = The address must be 5 to 200 characters long.
register-summary =
    <b>Check your registration</b>
    Account type: { $kind ->
        [organisation] Organisation, business
       *[citizen] Citizen
    }
    { $kind ->
        [organisation] Organisation name
       *[citizen] Full name
    }: { $name }
    { $kind ->
        [organisation] Tax code
       *[citizen] Citizen ID
    }: { $id_number }
    Date of birth: { $birth_date }
    Phone: { $phone }
    E-mail: { $email }
    Address: { $address }
    Password: ••••••••
register-confirm = ✅ Confirm registration
edit-name = Edit name
edit-id-number = Edit ID number
edit-birth-date = Edit date of birth
edit-phone = Edit phone
edit-email = Edit e-mail
edit-address = Edit address
edit-password = Change password
register-duplicate = This ID number or phone number already has a portal account. Please log in.
register-done = Registration complete! Welcome, { $name }; you are logged in.
register-done-login-later = Registration complete! Logging in failed for now; please use /login in a few minutes.
login-ask-username =
    { $kind ->
        [organisation] Enter your username: the tax code or the phone number.
       *[citizen] Enter your username: your citizen ID (CCCD) or phone number.
    }
login-other-kind =
    { $kind ->
        [organisation] Log in as an organisation
       *[citizen] Log in as a citizen
    }
login-username-invalid =
    { $kind ->
        [organisation] The username is a tax code (10 digits) or a phone number (10 digits).
       *[citizen] The username is a citizen ID (12 digits) or a phone number (10 digits).
    }
login-ask-password = Enter your password. The message with it will be deleted at once.
login-failed = Wrong username or password. Please enter the password again, or type /cancel to leave. After a few wrong tries in a row you will have to wait a while before trying again.
login-too-many =
    Too many wrong tries. Please wait { $unit ->
        [minutes] { $count ->
            [one] { $count } minute
           *[other] { $count } minutes
        }
       *[seconds] { $count ->
            [one] { $count } second
           *[other] { $count } seconds
        }
    } before entering the password again, or type /cancel to leave.
private-only = This bot works in private chats only. Please message it directly to use the public services.
login-done = You are logged in. Welcome, { $name }!
account-already = You are logged in as { $account }.
account-logged-in = You are logged in as { $account }.
account-anonymous = You are not logged in. Create an account or log in.
logout-done = You are logged out.
logout-not-logged-in = You are not logged in.

# My data, erase my data.
mydata =
    <b>What the assistant keeps about you</b>
    Telegram user id: { $telegram_id }
    Language: { $language }
    Consent given: { $consent }
    Portal account: { $account }
    Logged in: { $logged_in ->
        [yes] yes (only an encrypted session token is kept, never your password)
       *[no] no
    }
    Notifications: { $notify ->
        [yes] on
       *[no] off
    }
    Using the assistant since: { $created }
mydata-none = The assistant keeps no data about you.
mydata-registration =
    <b>Registration under way</b>
    Full name: { $name }
    ID number: { $id_number }
    Date of birth: { $birth_date }
    Phone: { $phone }
    E-mail: { $email }
    Address: { $address }
mydata-draft = <b>Draft dossier</b>: { $procedure } — { $values ->
        [one] one detail filled in
       *[other] { $values } details filled in
    }, { $papers ->
        [one] one paper sent
       *[other] { $papers } papers sent
    }.
deleteme-ask = Do you really want to erase everything the assistant keeps about you? You will be logged out. Dossiers sent to the portal are not affected.
deleteme-yes = Erase my data
deleteme-no = Keep it
deleteme-kept = Your data is kept.
deleteme-done = Your data is erased and you are logged out. Type /start to use the assistant again.

# Dossier lookup.
lookup-ask = Enter the dossier code to look up, for example 000.00.25.H50-261125-0001:
lookup-result =
    <b>Dossier { $code }</b>
    Procedure: { $procedure }
    Receiving agency: { $agency }
    Status: { $status }
    Received on: { $received }
    Due on: { $due }
lookup-not-found = No dossier has the code { $code }. Please check the code.
status-draft = Draft
status-new = New
status-processing = Being processed
status-supplement_required = Supplement required
status-financial_obligation = Financial obligation
status-fee_payment = Fee payment
status-paused = Paused
status-completed = Processing completed
status-result_returned = Result returned
status-rejected = Rejected
status-withdrawn = Withdrawn
