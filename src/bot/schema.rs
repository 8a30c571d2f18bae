//! The bot's whole update tree in one place: each chat's updates enter its dialogue, then
//! messages and button presses go to the adapter, which routes them through the flows.

use teloxide::dispatching::dialogue::ErasedStorage;
use teloxide::dispatching::{UpdateFilterExt, UpdateHandler};
use teloxide::prelude::*;

use super::adapter;
use super::state::State;

pub fn schema() -> UpdateHandler<Box<dyn std::error::Error + Send + Sync + 'static>> {
    dptree::entry()
        .enter_dialogue::<Update, ErasedStorage<State>, State>()
        .branch(Update::filter_message().endpoint(adapter::on_message))
        .branch(Update::filter_callback_query().endpoint(adapter::on_callback))
}
