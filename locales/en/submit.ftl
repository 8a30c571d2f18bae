# Public services: the catalogue, a procedure's card.
cmd-procedures = Public services: find a procedure
cmd-submit = Submit a dossier by procedure code
cmd-mydossiers = My dossiers
cmd-drafts = Draft dossiers
hint-procedures = Type a few words to find a procedure (for example: birth, civil status), or choose a field on the message above.
hint-submit = Please answer the latest question, or type /cancel to pause (your draft is kept).
hint-submit-review = Press "Save draft" or "Send dossier" on the message above, or type /cancel to pause.
hint-paper = Please send the paper as a file (PDF) or a photo.
button-previous = ◀ Previous
button-next = Next ▶
button-fields = ☰ Fields
button-submit = 📝 Submit a dossier
button-back-results = ← Search results
procedures-search-hint = Type a few words to find an administrative procedure (with or without diacritics), or choose a field below.
procedures-fields = <b>Public services</b> — choose a field:
procedures-in-field = <b>{ $field }</b> — choose a procedure:
procedures-query-short = Please type at least 2 characters to search.
procedures-none = No procedure matches "{ $query }". Try other words, or choose a field.
procedures-found = { $count ->
        [one] One procedure matches "{ $query }":
       *[other] { $count } procedures match "{ $query }":
    }
level-full = Fully online
level-partial = Partly online
fee-free = Free
procedure-card =
    <b>{ $name }</b>
    Procedure code: { $code }
    Field: { $field }
    Receiving agency: { $agency }
    Online level: { $level }
    Processing time: { $days ->
        [one] { $days } working day
       *[other] { $days } working days
    }
    Fees: { $fee }

    <b>Papers</b> (* required):
    { $papers }

    <b>Details to fill in</b>:
    { $fields }

# Submitting a dossier.
submit-login-required = To submit a dossier you need to log in to your public services portal account. Once you are logged in, the assistant brings you back to this procedure.
submit-unknown-procedure = No procedure has the code { $code }.
submit-draft-gone = This draft no longer exists (it may have been sent). Please choose again from the menu.
submit-intro = <b>Submitting: { $procedure }</b>
    The assistant asks each detail in turn, then the papers. You can type /cancel at any time to pause: your draft is kept.
submit-resuming = Continuing the draft: <b>{ $procedure }</b>
submit-ask-field =
    ({ $n }/{ $total }) <b>{ $label }</b>{ $required ->
        [yes] {""}
       *[no] {" "}(optional)
    }
    { $kind ->
        [date] Write it as day/month/year, for example 05/01/2026.
        [number] Enter a number, for example 2.
        [choice] Choose one of the buttons below.
       *[text] Type your answer.
    }
submit-field-required = This detail is required.
invalid-field-text = The answer must not be empty and at most 500 characters long.
invalid-field-date = Write the date as day/month/year, for example 05/01/2026, and it must be a real date.
invalid-field-number = Please enter a whole number, 0 or more, for example 2.
invalid-field-choice = Please choose one of the buttons under the question.
submit-checklist =
    <b>Papers</b> (* required)
    { $papers }
submit-ask-paper =
    Send <b>{ $paper }</b>{ $required ->
        [yes] {""}
       *[no] {" "}(optional)
    } as a file or a photo.
    Accepted: { $types }; at most { $max_mb } MB.
submit-paper-required = This paper is required and cannot be skipped.
paper-too-big-telegram = The file is larger than { $max_mb } MB, which a bot cannot download from Telegram. Please send a smaller one (a photo, or a compressed PDF).
paper-too-big = The file is too large: this paper takes at most { $max_mb } MB. Please send a smaller one.
paper-download-failed = The file could not be fetched from Telegram. Please send it again.
paper-wrong-type = The file sent for "{ $paper }" is not of an accepted type (its content is checked, not only its name). Accepted: { $types }.
paper-refused = The portal did not accept this file. Please check it (the right paper, readable) and send it again.
paper-received = Received "{ $paper }".
submit-ask-delivery = How do you want to receive the result?
delivery-online = 📱 Online (sent in this chat)
delivery-post = 📮 By public postal service
submit-ask-post-address = Enter the address where the post should deliver the result (house number, hamlet, commune or ward, province):
submit-review =
    <b>Check the dossier: { $procedure }</b>

    <b>Details</b>
    { $values }

    <b>Papers</b>
    { $papers }

    <b>Result delivery</b>: { $delivery ->
        [post] by public postal service, to { $address }
       *[online] online
    }
button-save-draft = 💾 Save draft
button-send = 📤 Send dossier
draft-saved = The draft is saved on the public services portal. You can send it now or come back later through "Draft dossiers".
draft-kept-offline = The public services portal cannot be reached right now. The draft is kept in this chat and nothing is lost; please try again later.
submit-portal-down = The public services portal cannot be reached right now, so the dossier was not sent. Your draft is kept as it is; press "Send dossier" again in a few minutes.
submit-session-expired = Your login session has expired. Please log in again; your draft is kept and the assistant brings you back to it.
submit-missing =
    The dossier still lacks:
    { $items }
submit-done =
    ✅ <b>Dossier sent</b>
    Dossier code: <code>{ $code }</code>
    Procedure: { $procedure }
    Result due on: { $due }
    Follow it in "My dossiers", or type /status { $code }. The assistant will tell you when anything changes.
drafts-none = You have no draft dossiers.
drafts-list = { $count ->
        [one] One draft dossier — choose it to continue:
       *[other] { $count } draft dossiers — choose one to continue:
    }

# My dossiers.
mydossiers-login = Please log in to see your dossiers.
mydossiers-title = <b>My dossiers</b>
mydossiers-group = <b>{ $status }</b> ({ $count })
mydossiers-none = You have not sent any dossier yet.
button-drafts = Draft dossiers ({ $count })
submit-current-value = Current answer: { $value }
submit-prefilled-value = From your account: { $value }
    Press «{ button-keep }» to use it, or type another value.
button-keep = Keep it
button-skip-optional = Skip all { $count } optional papers
button-edit-draft = ✏️ Edit details
button-discard-draft = 🗑 Discard draft
draft-discarded = The draft is removed from this chat.{ $saved ->
        [yes] {" "}The copy saved on the portal is still under "Draft dossiers".
       *[no] {""}
    }
submit-already-sent = This dossier was sent already: dossier code { $code }.
submit-choice-echo = ✔️ { $label }: <b>{ $value }</b>
