# Notifications and deadline reminders after sending; /notifications.
cmd-notifications = Notifications and reminders on or off
notifications-settings =
    <b>Notifications</b>
    Messages when a dossier's status changes: { $status ->
        [on] on
       *[other] off
    }
    Reminders of supplement and fee deadlines: { $reminders ->
        [on] on
       *[other] off
    }
    The assistant sends nothing between 21:00 and 07:00; messages in that window go out in the morning.
notifications-switch-status = { $on ->
        [on] Turn status messages on
       *[other] Turn status messages off
    }
notifications-switch-reminders = { $on ->
        [on] Turn reminders on
       *[other] Turn reminders off
    }

notify-button-open = View dossier
notify-button-supplement = Add papers
notify-button-fees = Fees and QR code
notify-button-result = Get the result
notify-button-ask = Ask an officer
notify-button-rate = Rate

notify-accepted =
    ✅ Dossier <b>{ $code }</b> has been accepted and is being processed.
    Result due: { $due }.
notify-supplement =
    📎 Dossier <b>{ $code }</b> needs more papers.
    Reason: { $reason }
    Papers to add: { $papers_en }
    Deadline: { $deadline }
notify-fee =
    💳 Dossier <b>{ $code }</b> needs { $what ->
        [fee] a fee to be paid
       *[other] a financial obligation to be met
    }.
    For: { $reason }
    Amount: { $amount }
    Deadline: { $deadline }
    Payment reference: { $reference }
notify-resumed =
    ▶️ Dossier <b>{ $code }</b> { $what ->
        [paid] payment confirmed; it
       *[other] is
    } back in processing.
    Result due: { $due }.
notify-paused =
    ⏸ Dossier <b>{ $code }</b> is paused.
    Reason: { $reason }
notify-rejected =
    ❌ Dossier <b>{ $code }</b> was rejected.
    Reason: { $reason }
notify-completed =
    🏁 Dossier <b>{ $code }</b> is completed. The result { $delivery ->
        [post] will be sent by post to the address you gave.
       *[other] will be sent to you right here in this chat.
    }
notify-result-online = 📄 The result of dossier <b>{ $code }</b>. Thank you for using the online public services; please rate them.
notify-result-post = 📮 The result of dossier <b>{ $code }</b> is on its way by post. Please rate how your dossier was handled.
notify-result-fetch = 📄 Dossier <b>{ $code }</b> has its result. Press "Get the result" to download it (you may need to log in again).
notify-answer =
    💬 An officer answered your question about dossier <b>{ $code }</b>:
    { $answer }
notify-follow = 🔔 Dossier <b>{ $code }</b> that you follow is now: { $status }.
notify-remind-supplement = ⏰ Reminder: dossier <b>{ $code }</b> needs its papers before { $deadline }.
notify-remind-fee = ⏰ Reminder: dossier <b>{ $code }</b> needs { $amount } paid before { $deadline }.
notify-overdue =
    🙏 Dossier <b>{ $code }</b> is past its due date ({ $due }). We sincerely apologise for the delay; the agency will set a new date for the result.
