# Rating after the result, and asking an officer.
hint-rate-comment = Please type your comment, or press "No comment".
hint-ask = Please type your question, or type /cancel.
