# My dossiers, the dossier card, supplements, fees and QR codes, results, withdrawing.
mydossiers-groups = <b>My dossiers</b>: { $count ->
        [one] one dossier sent
       *[other] { $count } dossiers sent
    }. Choose a group to see its list.
mydossiers-group-button = { $status } ({ $count })
mydossiers-group-title = <b>{ $status }</b>: { $count ->
        [one] one dossier
       *[other] { $count } dossiers
    } (page { $page }/{ $pages })
button-my-dossiers = ◀ My dossiers
button-back-group = ◀ { $status }

dossier-card =
    <b>{ $procedure }</b>
    Dossier code: <code>{ $code }</code>
    Agency: { $agency }
    Received on: { $received }
    Due on: { $due }{ $overdue ->
        [yes] {" "}⚠️ <b>overdue</b>
       *[no] {""}
    }
    Status: <b>{ $status }</b>
dossier-card-reason = Reason: { $reason }
dossier-card-papers = Papers to add:
    { $papers }
dossier-card-amount = Amount: <b>{ $amount }</b>
dossier-card-deadline = Deadline: { $deadline }
dossier-card-history =
    <b>History</b>
    { $lines }
button-dossier-supplement = 📎 Add the papers
button-dossier-fees = 💳 Fee and QR code
button-dossier-result = 📄 Get the result
button-dossier-withdraw = ↩️ Withdraw
dossier-not-yours = This dossier is not among the dossiers of your account.
dossier-action-refused = The portal cannot do this with the dossier in its current status.
error-portal-slow = The public services portal is answering slowly. Your data is kept; please try again in a few minutes.

supplement-checklist =
    <b>Supplement for dossier { $code }</b>
    Reason: { $reason }
    Deadline: { $deadline }

    { $papers }
supplement-ask-paper = Please send <b>{ $paper }</b> as a file or a photo ({ $types }, at most { $max_mb } MB).
supplement-ready = All the papers asked for are here. Press “Send supplement” to send them to the agency.
button-send-supplement = 📤 Send supplement
supplement-sent = ✅ The supplement to dossier { $code } was sent. Current status: { $status }.
supplement-not-pending = Dossier { $code } has no supplement request waiting.
supplement-incomplete = Some papers are still missing.
supplement-refused = The portal did not accept this supplement. Please check the papers and try again.
hint-supplement = Please send the paper asked for (a file or a photo), or press “Send supplement” once all are there.

fee-details =
    <b>{ $purpose }</b>
    Dossier code: { $code }
    Amount: <b>{ $amount }</b>
    Pay by: { $deadline }
    Payment reference: <code>{ $reference }</code>
fee-qr-caption = Scan the code with your banking app to transfer to account { $bank_account } ({ $bank_name }).
fee-qr-sample = ⚠️ Sample account of the test mode: do not transfer real money.
fee-no-qr = Please pay at the agency, or transfer with the reference above.
fee-not-pending = Dossier { $code } has no fee waiting to be paid.

result-caption = 📄 The result of dossier { $code }.
result-by-post = The result of dossier { $code } is on its way by post to: { $address }.
result-not-ready = Dossier { $code } has no result yet.

withdraw-confirm = Do you really want to withdraw dossier <b>{ $code }</b>? A withdrawn dossier is not processed any further.
button-withdraw-yes = ✅ Withdraw
button-withdraw-no = ✖️ Keep it
withdraw-done = Dossier { $code } was withdrawn.
withdraw-not-allowed = Dossier { $code } cannot be withdrawn in its current status (only before it is accepted).
