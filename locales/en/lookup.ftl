# Looking a dossier up by its code, and following it without an account.
lookup-format =
    That is not a dossier code. A dossier code has three parts joined by hyphens: the receiving agency's code, the date received (year, month, day — 6 digits) and the sequence number of that day (4 digits).
    For example: 000.00.25.H50-261125-0001
lookup-more-button = More (last 4 digits of the CCCD)
lookup-ask-last4 = To see the history of dossier { $code } and what it waits for, please enter the last 4 digits of the applicant's CCCD:
lookup-last4-format = Please enter exactly the last 4 digits of the CCCD, for example 1234.
lookup-last4-wrong = Those are not the last 4 digits of the applicant's CCCD. Please check and try again, or type /cancel.
lookup-too-many = Too many wrong attempts. Please try again after { $time }.
lookup-status = Status: { $status }
lookup-pending-reason = Reason: { $reason }
lookup-pending-amount = Amount: { $amount }
lookup-pending-deadline = Deadline: { $deadline }
lookup-history = <b>History</b>
lookup-history-entry = { $at } — { $status }
follow-button = Follow this dossier
follow-ask-code = Enter the code of the dossier to follow, for example 000.00.25.H50-261125-0001:
follow-ask-last4 = To follow dossier { $code }, please enter the last 4 digits of the applicant's CCCD:
follow-done = You now follow dossier { $code }. You will get a message when its status changes (without personal data). Type /unfollow to stop.
follow-already = You already follow dossier { $code }.
follow-too-many = You follow { $max } dossiers, the most allowed. Type /unfollow to stop following some.
follow-none = You follow no dossier. Type /follow and a dossier code to follow one.
follow-list = <b>Dossiers you follow</b> ({ $count })
follow-list-hint = Type /unfollow to stop following one.
unfollow-choose = Choose the dossier to stop following:
unfollow-done = You no longer follow dossier { $code }.
unfollow-not-followed = You do not follow dossier { $code }.
cmd-follow = Follow a dossier by code
cmd-unfollow = Stop following a dossier
hint-last4 = Please enter the last 4 digits of the applicant's CCCD, or type /cancel.
