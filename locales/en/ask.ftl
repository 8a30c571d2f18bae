# Rating after the result, and asking an officer.
hint-rate-comment = Please type your comment, or press "No comment".
hint-ask = Please type your question, or type /cancel.
rate-ask = How satisfied are you with how dossier { $code } was handled? (1 star: very unsatisfied, 5 stars: very satisfied)
rate-ask-comment = You chose { $stars ->
        [one] one star
       *[other] { $stars } stars
    }. Anything to add? Type a comment, or press "No comment".
rate-no-comment = No comment
rate-comment-too-long = A comment is at most { $max } characters.
rate-thanks = Thank you for rating dossier { $code }.
rate-already = Dossier { $code } is rated already. Each dossier is rated once.
rate-not-yet = Dossier { $code } has no result yet, so it cannot be rated.
rate-not-yours = You can only rate your own dossiers ({ $code } is not one of this account's).
rate-login-needed = Please log in (/login) to rate your dossier.
ask-prompt = Type your question for an officer:
ask-prompt-dossier = Type your question for an officer about dossier { $code }:
ask-too-long = A question is at most { $max } characters. Please make it shorter.
ask-sent = Your question (number { $id }) is sent to the officers. The answer will come in this chat.
ask-answer-soon = Officers are at work now and will answer soon.
ask-answer-after = It is outside office hours; officers will answer from { $time }.
ask-not-yours = That dossier is not one of your account's.
ask-login-needed = Please log in (/login) to ask an officer; the answer will be sent to you.
cmd-ask = Ask an officer
