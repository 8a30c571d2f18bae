//! How the result comes back: online, or by post to an address (parsed as one).

use crate::bot::callback::Callback;
use crate::bot::context::Ctx;
use crate::bot::input::Input;
use crate::bot::reply::{Effect, Reply, Text};
use crate::bot::state::{State, Step};
use crate::domain::Address;
use crate::portal::model::Delivery;

use super::ask::ask_delivery;
use super::draft::{Out, find, gone, to};
use super::next::{After, go_on};

/// Online, or by post (then the address is asked).
pub async fn receive_delivery(mut state: State, key: String, input: Input, ctx: &Ctx<'_>) -> Out {
    let Some(i) = find(&state, &key) else {
        return gone(state);
    };
    match input {
        Input::Callback(Callback::Deliver {
            key: k,
            online: true,
        }) if k == key => {
            state.drafts[i].delivery = Some(Delivery::Online);
            go_on(state, &key, After::Delivery, ctx)
        }
        Input::Callback(Callback::Deliver {
            key: k,
            online: false,
        }) if k == key => {
            to(state, Step::PostAddress { key }).send(Reply::msg("submit-ask-post-address"))
        }
        Input::Callback(_) => {
            to(state, Step::Delivery { key }).effect(Effect::Toast(Text::msg("stale-button")))
        }
        _ => ask_delivery(state, &key),
    }
}

/// The postal address for the result.
pub async fn receive_address(mut state: State, key: String, input: Input, ctx: &Ctx<'_>) -> Out {
    let Some(i) = find(&state, &key) else {
        return gone(state);
    };
    let text = match input {
        Input::Text(text) => text,
        // The delivery buttons are still there: choosing again (online, say) is honoured.
        input @ Input::Callback(Callback::Deliver { .. }) => {
            return receive_delivery(state, key, input, ctx).await;
        }
        _ => {
            return to(state, Step::PostAddress { key })
                .send(Reply::msg("submit-ask-post-address"));
        }
    };
    let address = match Address::parse(&text) {
        Ok(a) => a,
        Err(invalid) => {
            return to(state, Step::PostAddress { key }).send(Reply::msg(&invalid.message_id()));
        }
    };
    state.drafts[i].delivery = Some(Delivery::Post {
        address: address.into(),
    });
    go_on(state, &key, After::Delivery, ctx)
}
