//! Photos for the CCCD QR tests, generated here with a QR encoder: a made-up card (never a
//! real person's data) drawn as a phone would photograph it, and pictures that are not a card.

use image::{GrayImage, ImageEncoder, Luma, imageops};
use qrcode::QrCode;
use rand::{Rng, SeedableRng};

/// A made-up card: a Sơn La province code, an invented name and address.
pub const CARD_ID: &str = "014099001234";
pub const CARD_NAME: &str = "Lường Thị Thử";
pub const CARD_ADDRESS: &str = "Bản Thử, xã Chiềng Mung, huyện Mai Sơn, Sơn La";
/// The birth date on the card, as a citizen types it.
pub const CARD_BIRTH: &str = "05/03/1992";

/// The card's QR text: `id|old id|name|DDMMYYYY|sex|address|DDMMYYYY issued`.
pub fn card_text() -> String {
    format!("{CARD_ID}|123456789|{CARD_NAME}|05031992|Nữ|{CARD_ADDRESS}|15082021")
}

fn code(text: &str, module: u32) -> GrayImage {
    QrCode::new(text.as_bytes())
        .expect("encodes")
        .render::<Luma<u8>>()
        .module_dimensions(module, module)
        .build()
}

/// `text`'s QR code as a phone photographs a card: a larger dim picture, the code grey on a
/// grey card, light falling off across it, slightly turned (a quarter turn and a small skew of
/// rows), noisy, saved as JPEG at quality 60.
pub fn photographed(text: &str) -> Vec<u8> {
    let code = imageops::rotate90(&code(text, 6));
    let (cw, ch) = code.dimensions();
    let (w, h) = (1400u32, 1000u32);
    let (ox, oy) = (420u32, 260u32);
    let mut rng = rand::rngs::StdRng::seed_from_u64(1616);
    let photo = image::RgbImage::from_fn(w, h, |x, y| {
        let light = 0.7 + 0.3 * (x as f32 / w as f32);
        // A slight shear: each row of the card a little to the right of the one above.
        let sx = x as i64 - ox as i64 - (y as i64 - oy as i64) / 40;
        let sy = y as i64 - oy as i64;
        let base = if (0..cw as i64).contains(&sx) && (0..ch as i64).contains(&sy) {
            let v = f32::from(code.get_pixel(sx as u32, sy as u32).0[0]) / 255.0;
            55.0 + 140.0 * v
        } else {
            125.0
        };
        let v = (base * light + rng.gen_range(-16.0..16.0)).clamp(0.0, 255.0) as u8;
        image::Rgb([v, v.saturating_add(5), v.saturating_sub(5)])
    });
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 60)
        .write_image(photo.as_raw(), w, h, image::ExtendedColorType::Rgb8)
        .expect("jpeg");
    out
}

/// `text`'s QR code, clean, as a PNG.
pub fn clean_png(text: &str) -> Vec<u8> {
    png(&code(text, 6))
}

/// A photo with no QR code in it.
pub fn no_code() -> Vec<u8> {
    png(&GrayImage::from_fn(480, 360, |x, y| {
        Luma([((x * 3 + y * 5) % 256) as u8])
    }))
}

fn png(image: &GrayImage) -> Vec<u8> {
    let mut out = Vec::new();
    image::codecs::png::PngEncoder::new(&mut out)
        .write_image(
            image.as_raw(),
            image.width(),
            image.height(),
            image::ExtendedColorType::L8,
        )
        .expect("png");
    out
}
