//! Papers sent in the chat, fetched from Telegram with getFile and the file download URL.

use teloxide::prelude::*;

use super::context::FileSource;

/// The `FileSource` over the Bot API.
pub struct TelegramFiles {
    pub bot: Bot,
}

#[async_trait::async_trait]
impl FileSource for TelegramFiles {
    async fn download(&self, file_id: &str) -> Result<Vec<u8>, String> {
        use teloxide::net::Download;
        let file = self
            .bot
            .get_file(teloxide::types::FileId(file_id.to_owned()))
            .await
            .map_err(|e| e.to_string())?;
        let mut bytes = Vec::with_capacity(file.size as usize);
        self.bot
            .download_file(&file.path, &mut bytes)
            .await
            .map_err(|e| e.to_string())?;
        Ok(bytes)
    }
}
