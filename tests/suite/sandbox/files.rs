//! Files up and down: teloxide uploads with sendDocument / sendPhoto (multipart), reuses a
//! file_id, and downloads with getFile + download_file; citizens' uploads reach the bot.

use teloxide::net::Download;
use teloxide::prelude::*;
use teloxide::types::{InputFile, MediaKind, MessageKind, UpdateKind};

use super::{bot, client, spawn_sandbox, start_chat};

/// A 2×3 PNG header: enough for the sandbox (and Telegram's size detection) to see an image.
pub fn tiny_png() -> Vec<u8> {
    let mut png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
    png.extend_from_slice(&2u32.to_be_bytes());
    png.extend_from_slice(&3u32.to_be_bytes());
    png.extend_from_slice(&[8, 2, 0, 0, 0]);
    png
}

#[tokio::test]
async fn send_document_then_get_file_and_download_it() {
    let sandbox = spawn_sandbox(&[], false).await;
    start_chat(&sandbox, 42).await;
    let bot = bot(&sandbox);
    let pdf = b"%PDF-1.4 ket qua ho so".to_vec();
    let sent = bot
        .send_document(
            ChatId(42),
            InputFile::memory(pdf.clone()).file_name("ket-qua.pdf"),
        )
        .caption("<b>Kết quả</b> hồ sơ")
        .parse_mode(teloxide::types::ParseMode::Html)
        .await
        .expect("sendDocument (multipart)");
    let document = sent.document().expect("a document");
    assert_eq!(document.file_name.as_deref(), Some("ket-qua.pdf"));
    assert_eq!(
        document.mime_type.as_ref().map(|m| m.essence_str()),
        Some("application/pdf")
    );
    assert_eq!(sent.caption(), Some("Kết quả hồ sơ"));

    let file = bot
        .get_file(document.file.id.clone())
        .await
        .expect("getFile");
    assert_eq!(file.meta.size as usize, pdf.len());
    assert!(
        file.path.contains('/'),
        "a path with a folder: {}",
        file.path
    );
    let mut downloaded = Vec::new();
    bot.download_file(&file.path, &mut downloaded)
        .await
        .expect("download_file (path sent with %2F)");
    assert_eq!(downloaded, pdf);

    // The same file again by its file_id, no upload.
    let again = bot
        .send_document(ChatId(42), InputFile::file_id(document.file.id.clone()))
        .await
        .expect("sendDocument by file_id");
    assert_eq!(
        again.document().expect("document").file.id,
        document.file.id
    );

    // The citizen sees it and can download it through the control API.
    let t = client(&sandbox)
        .transcript(42, 1, 0)
        .await
        .expect("transcript");
    let shown = t.messages[0]
        .document
        .as_ref()
        .expect("document in transcript");
    assert_eq!(shown.file_name.as_deref(), Some("ket-qua.pdf"));
    assert_eq!(
        client(&sandbox)
            .download(&shown.file_id)
            .await
            .expect("download"),
        pdf
    );
}

#[tokio::test]
async fn send_photo_upload_and_unknown_file_id() {
    let sandbox = spawn_sandbox(&[], false).await;
    start_chat(&sandbox, 42).await;
    let bot = bot(&sandbox);
    let sent = bot
        .send_photo(ChatId(42), InputFile::memory(tiny_png()).file_name("p.png"))
        .await
        .expect("sendPhoto");
    let photo = sent.photo().expect("photo sizes");
    assert_eq!((photo[0].width, photo[0].height), (2, 3));
    let not_an_image = bot
        .send_photo(ChatId(42), InputFile::memory(b"text".to_vec()))
        .await;
    assert!(not_an_image.is_err());
    // By file_id: a photo's id is sent again; a document's id is no photo, as on Telegram.
    let again = bot
        .send_photo(ChatId(42), InputFile::file_id(photo[0].file.id.clone()))
        .await
        .expect("sendPhoto by file_id");
    assert!(again.photo().is_some());
    let doc = bot
        .send_document(
            ChatId(42),
            InputFile::memory(b"%PDF-1.4 x".to_vec()).file_name("a.pdf"),
        )
        .await
        .expect("sendDocument");
    let doc_id = doc.document().expect("document").file.id.clone();
    let wrong = bot.send_photo(ChatId(42), InputFile::file_id(doc_id)).await;
    assert!(
        matches!(wrong, Err(teloxide::RequestError::Api(_))),
        "{wrong:?}"
    );
    let unknown = bot
        .send_document(ChatId(42), InputFile::file_id("no-such-file".into()))
        .await;
    assert!(
        matches!(
            &unknown,
            Err(teloxide::RequestError::Api(teloxide::ApiError::Unknown(d))) if d.contains("wrong file identifier")
        ) || matches!(&unknown, Err(teloxide::RequestError::Api(_))),
        "{unknown:?}"
    );
}

#[tokio::test]
async fn a_citizens_document_and_photo_reach_the_bot() {
    let sandbox = spawn_sandbox(&[], false).await;
    let bot = bot(&sandbox);
    let cccd = b"scan of the citizen ID".to_vec();
    client(&sandbox)
        .send_document(5, "cccd.pdf", "application/pdf", &cccd)
        .await
        .expect("upload a document");
    client(&sandbox)
        .send_photo(5, &tiny_png())
        .await
        .expect("upload a photo");
    let updates = bot.get_updates().await.expect("getUpdates");
    let UpdateKind::Message(m) = &updates[0].kind else {
        panic!("a message");
    };
    let document = m.document().expect("document");
    assert_eq!(document.file_name.as_deref(), Some("cccd.pdf"));
    let file = bot
        .get_file(document.file.id.clone())
        .await
        .expect("getFile");
    let mut bytes = Vec::new();
    bot.download_file(&file.path, &mut bytes)
        .await
        .expect("download");
    assert_eq!(bytes, cccd);
    let UpdateKind::Message(m) = &updates[1].kind else {
        panic!("a message");
    };
    let MessageKind::Common(common) = &m.kind else {
        panic!("common");
    };
    assert!(
        matches!(common.media_kind, MediaKind::Photo(_)),
        "{:?}",
        common.media_kind
    );
    let bad = client(&sandbox).send_photo(5, b"not an image").await;
    assert_eq!(bad.expect_err("not an image").status(), Some(400));
}
