//! "typing…" and "sending a file…" while a step waits: a step says what it is doing before a
//! slow call (`signal`), and the adapter, which runs the step inside `scope`, shows it in the
//! chat (sendChatAction, repeated while the step runs) — so the chat is never silent.

use std::future::Future;
use std::time::Duration;

use tokio::sync::watch;

/// Telegram shows a chat action for about 5 seconds: it is repeated this often.
pub const REPEAT: Duration = Duration::from_secs(4);

/// What the bot is doing, as Telegram's chat actions say it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Activity {
    /// Waiting on the portal.
    Typing,
    /// Fetching or sending a document.
    UploadDocument,
    /// Drawing or sending a photo.
    UploadPhoto,
}

tokio::task_local! {
    static CURRENT: watch::Sender<Option<Activity>>;
}

/// Says what the current step is doing; nothing outside a `scope` (step tests).
pub fn signal(activity: Activity) {
    let _ = CURRENT.try_with(|tx| tx.send_replace(Some(activity)));
}

/// Runs `step`, calling `show` with each activity it signals (and again every `REPEAT` while
/// it lasts); returns once the step is done and every signalled activity was shown.
pub async fn scope<T, S, F>(step: impl Future<Output = T>, show: S) -> T
where
    S: Fn(Activity) -> F + Send + 'static,
    F: Future<Output = ()> + Send,
{
    let (tx, mut rx) = watch::channel(None);
    // Polled beside the step in this same task (no task spawned per update). Ends when the
    // step is over (the sender dropped) and nothing unseen is left.
    let shower = async move {
        while rx.changed().await.is_ok() {
            loop {
                let Some(activity) = *rx.borrow_and_update() else {
                    break;
                };
                show(activity).await;
                tokio::select! {
                    _ = tokio::time::sleep(REPEAT) => {}
                    changed = rx.changed() => {
                        if changed.is_err() {
                            return;
                        }
                    }
                }
            }
        }
    };
    let (out, ()) = tokio::join!(CURRENT.scope(tx, step), shower);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::{Arc, Mutex};

    #[tokio::test]
    async fn every_signal_is_shown_even_from_a_quick_step() {
        let seen = Arc::new(Mutex::new(Vec::new()));
        let log = Arc::clone(&seen);
        let out = scope(
            async {
                signal(Activity::Typing);
                tokio::task::yield_now().await;
                signal(Activity::UploadDocument);
                42
            },
            move |a| {
                let log = Arc::clone(&log);
                async move { log.lock().unwrap().push(a) }
            },
        )
        .await;
        assert_eq!(out, 42);
        let seen = seen.lock().unwrap().clone();
        assert!(seen.contains(&Activity::UploadDocument), "{seen:?}");
        signal(Activity::Typing); // outside a scope: nothing happens, no panic
    }
}
