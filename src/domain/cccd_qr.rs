//! The QR code on the back of a chip CCCD: found in a photo's bytes (JPEG or PNG, in memory
//! only) and its text `id|old id|full name|DDMMYYYY birth|sex|address|DDMMYYYY issued` read
//! into the domain types. Nothing here keeps or logs the photo or the card's values.

use std::fmt;
use std::io::Cursor;

use chrono::NaiveDate;
use image::{GrayImage, ImageReader, Limits, imageops};
use unicode_normalization::UnicodeNormalization;

use super::{Address, BirthDate, CitizenId, FullName, Invalid};

/// Photos are brought down to this longest side before the search: a phone's 4000 px photo
/// costs sixteen times the work and finds nothing more.
pub const MAX_SIDE: u32 = 1600;
/// A second, smaller pass: downscaling averages away a noisy photo's grain.
const SMALL_SIDE: u32 = 800;
/// Largest photo accepted before decoding (each side), so a crafted file cannot ask for
/// gigabytes.
const MAX_DECODED_SIDE: u32 = 10_000;
/// The decoder's memory budget.
const MAX_DECODE_BYTES: u64 = 256 * 1024 * 1024;
/// The fields of the card's text; a newer card may add more after these.
const FIELDS: usize = 7;

/// Why a photo did not give a card.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CccdQrError {
    /// The bytes are not a JPEG or PNG image that could be read.
    #[error("not a readable image")]
    NotAnImage,
    /// No QR code could be read in the image.
    #[error("no readable QR code")]
    NoQr,
    /// A QR code was read, but its text is not a CCCD's.
    #[error("the QR code is not a CCCD's")]
    NotCccd,
    /// A CCCD's QR code whose field does not read as that field.
    #[error("the card's {field:?} does not read ({invalid})")]
    BadField { field: CardField, invalid: Invalid },
}

/// A field of the card's text that can be refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CardField {
    IdNumber,
    FullName,
    BirthDate,
    Address,
}

/// The sex printed on the card.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sex {
    Male,
    Female,
}

/// What a CCCD's QR code says. Empty fields are `None`; the number is always there.
#[derive(Clone, PartialEq, Eq)]
pub struct CccdCard {
    pub id: CitizenId,
    /// The 9-digit identity card number (CMND) it replaced, if any.
    pub old_id: Option<String>,
    pub full_name: Option<FullName>,
    pub birth_date: Option<BirthDate>,
    pub sex: Option<Sex>,
    pub address: Option<Address>,
    pub issued: Option<NaiveDate>,
}

impl fmt::Debug for CccdCard {
    /// The number masked as every CCCD; of the rest only which fields are there.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CccdCard")
            .field("id", &self.id)
            .field("old_id", &self.old_id.as_ref().map(|_| "***"))
            .field("full_name", &self.full_name.as_ref().map(|_| "***"))
            .field("birth_date", &self.birth_date.map(|_| "***"))
            .field("sex", &self.sex.map(|_| "***"))
            .field("address", &self.address.as_ref().map(|_| "***"))
            .field("issued", &self.issued.map(|_| "***"))
            .finish()
    }
}

impl CccdCard {
    /// Reads the card's text as of `today` (for the birth date's rules).
    pub fn parse(text: &str, today: NaiveDate) -> Result<Self, CccdQrError> {
        let text: String = text.trim().trim_start_matches('\u{feff}').nfc().collect();
        let fields: Vec<&str> = text.split('|').map(str::trim).collect();
        if fields.len() < FIELDS {
            return Err(CccdQrError::NotCccd);
        }
        let id_field = fields[0];
        if id_field.len() != 12 || !id_field.chars().all(|c| c.is_ascii_digit()) {
            return Err(CccdQrError::NotCccd);
        }
        let bad =
            |field: CardField| move |invalid: Invalid| CccdQrError::BadField { field, invalid };
        let id = CitizenId::parse(id_field).map_err(bad(CardField::IdNumber))?;
        let nonempty = |s: &str| (!s.is_empty()).then(|| s.to_owned());
        let old_id = nonempty(fields[1]);
        let full_name = nonempty(fields[2])
            .map(|s| FullName::parse(&s))
            .transpose()
            .map_err(bad(CardField::FullName))?;
        let birth_date = match nonempty(fields[3]) {
            None => None,
            Some(s) => {
                let date = read_date(&s).ok_or(Invalid("birth-date-format"));
                let date = date.map_err(bad(CardField::BirthDate))?;
                let typed = date.format("%d/%m/%Y").to_string();
                Some(BirthDate::parse(&typed, today).map_err(bad(CardField::BirthDate))?)
            }
        };
        let sex = match crate::domain::fold(fields[4]).as_str() {
            "nam" | "male" => Some(Sex::Male),
            "nu" | "female" => Some(Sex::Female),
            _ => None,
        };
        let address = nonempty(fields[5])
            .map(|s| Address::parse(&s))
            .transpose()
            .map_err(bad(CardField::Address))?;
        // Not used by any form: a date that does not read is left out rather than refused.
        let issued = read_date(fields[6]);
        Ok(CccdCard {
            id,
            old_id,
            full_name,
            birth_date,
            sex,
            address,
            issued,
        })
    }
}

/// `DDMMYYYY`, as the card writes dates.
fn read_date(s: &str) -> Option<NaiveDate> {
    if s.len() != 8 || !s.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    NaiveDate::parse_from_str(s, "%d%m%Y").ok()
}

/// Finds a CCCD's QR code in a photo's bytes and reads it. The image lives only in this call.
pub fn read_card(photo: &[u8], today: NaiveDate) -> Result<CccdCard, CccdQrError> {
    let texts = decode_qr(photo)?;
    // With several codes in the picture, the first one that is a card's; otherwise why the
    // first one is not.
    let mut first_error = None;
    for text in &texts {
        match CccdCard::parse(text, today) {
            Ok(card) => return Ok(card),
            Err(error) => {
                first_error.get_or_insert(error);
            }
        }
    }
    Err(first_error.unwrap_or(CccdQrError::NoQr))
}

/// The texts of the QR codes in a photo's bytes, trying a few preparations of the picture
/// before giving up.
pub fn decode_qr(photo: &[u8]) -> Result<Vec<String>, CccdQrError> {
    let gray = load_gray(photo)?;
    let large = fit(gray, MAX_SIDE);
    let small =
        (large.width().max(large.height()) > SMALL_SIDE).then(|| fit(large.clone(), SMALL_SIDE));
    for image in std::iter::once(&large).chain(small.as_ref()) {
        for preparation in Preparation::ALL {
            let Some(prepared) = preparation.apply(image) else {
                continue;
            };
            let texts = find_codes(prepared);
            if !texts.is_empty() {
                return Ok(texts);
            }
        }
    }
    Err(CccdQrError::NoQr)
}

/// One way of preparing the picture before the search.
#[derive(Debug, Clone, Copy)]
enum Preparation {
    /// As it is, with the decoder's own adaptive threshold.
    AsIs,
    /// Dim or washed-out photos: the darkest and brightest percent stretched to black and white.
    Stretch,
    /// Grainy photos: a light blur first.
    Blur,
    /// A global threshold at Otsu's level, for uneven light the adaptive one misreads.
    Otsu,
}

impl Preparation {
    const ALL: [Preparation; 4] = [
        Preparation::AsIs,
        Preparation::Stretch,
        Preparation::Blur,
        Preparation::Otsu,
    ];

    /// The prepared picture; `None` when this preparation would change nothing.
    fn apply(self, image: &GrayImage) -> Option<GrayImage> {
        match self {
            Preparation::AsIs => Some(image.clone()),
            Preparation::Stretch => stretch_contrast(image),
            Preparation::Blur => Some(imageops::blur(image, 1.2)),
            Preparation::Otsu => Some(binarize(image, otsu_level(image))),
        }
    }
}

/// The photo as grey levels, within the size and memory limits.
fn load_gray(photo: &[u8]) -> Result<GrayImage, CccdQrError> {
    let mut reader = ImageReader::new(Cursor::new(photo))
        .with_guessed_format()
        .map_err(|_| CccdQrError::NotAnImage)?;
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_DECODED_SIDE);
    limits.max_image_height = Some(MAX_DECODED_SIDE);
    limits.max_alloc = Some(MAX_DECODE_BYTES);
    reader.limits(limits);
    let image = reader.decode().map_err(|_| CccdQrError::NotAnImage)?;
    Ok(image.into_luma8())
}

/// Scaled down so that the longest side is at most `side` (never up).
fn fit(image: GrayImage, side: u32) -> GrayImage {
    let (w, h) = image.dimensions();
    let longest = w.max(h);
    if longest <= side {
        return image;
    }
    let scale = f64::from(side) / f64::from(longest);
    let nw = ((f64::from(w) * scale).round() as u32).max(1);
    let nh = ((f64::from(h) * scale).round() as u32).max(1);
    imageops::thumbnail(&image, nw, nh)
}

/// The texts of every QR code rqrr finds and decodes in `image`.
fn find_codes(image: GrayImage) -> Vec<String> {
    let mut prepared = rqrr::PreparedImage::prepare(image);
    prepared
        .detect_grids()
        .into_iter()
        .filter_map(|grid| grid.decode().ok().map(|(_, text)| text))
        .collect()
}

/// Grey levels stretched so the 1st and 99th percentiles become black and white; `None` when
/// the picture is flat (nothing to stretch) or already spans the range.
fn stretch_contrast(image: &GrayImage) -> Option<GrayImage> {
    let histogram = histogram(image);
    let total: u64 = histogram.iter().sum();
    let cut = total / 100;
    let low = percentile(&histogram, cut);
    let high = percentile(&histogram, total.saturating_sub(cut + 1));
    // In u16: a white picture has `low` 255, and `low + 16` would overflow a u8.
    if u16::from(high) <= u16::from(low) + 16 || (low < 8 && high > 247) {
        return None;
    }
    let span = f32::from(high - low);
    let mut out = image.clone();
    for pixel in out.pixels_mut() {
        let v = f32::from(pixel.0[0].clamp(low, high) - low) * 255.0 / span;
        pixel.0[0] = v.round() as u8;
    }
    Some(out)
}

fn histogram(image: &GrayImage) -> [u64; 256] {
    let mut counts = [0u64; 256];
    for pixel in image.pixels() {
        counts[usize::from(pixel.0[0])] += 1;
    }
    counts
}

/// The grey level below which `rank` pixels lie.
fn percentile(histogram: &[u64; 256], rank: u64) -> u8 {
    let mut seen = 0;
    for (level, count) in histogram.iter().enumerate() {
        seen += count;
        if seen > rank {
            return level as u8;
        }
    }
    255
}

/// Otsu's threshold: the level that best splits the histogram into two classes.
fn otsu_level(image: &GrayImage) -> u8 {
    let histogram = histogram(image);
    let total: f64 = histogram.iter().sum::<u64>() as f64;
    let sum_all: f64 = histogram
        .iter()
        .enumerate()
        .map(|(level, count)| level as f64 * *count as f64)
        .sum();
    let (mut weight_low, mut sum_low) = (0.0, 0.0);
    let (mut best, mut best_level) = (0.0, 127u8);
    for (level, count) in histogram.iter().enumerate() {
        weight_low += *count as f64;
        if weight_low == 0.0 {
            continue;
        }
        let weight_high = total - weight_low;
        if weight_high == 0.0 {
            break;
        }
        sum_low += level as f64 * *count as f64;
        let mean_low = sum_low / weight_low;
        let mean_high = (sum_all - sum_low) / weight_high;
        let between = weight_low * weight_high * (mean_low - mean_high).powi(2);
        if between > best {
            best = between;
            best_level = level as u8;
        }
    }
    best_level
}

/// Black below or at `level`, white above.
fn binarize(image: &GrayImage, level: u8) -> GrayImage {
    let mut out = image.clone();
    for pixel in out.pixels_mut() {
        pixel.0[0] = if pixel.0[0] <= level { 0 } else { 255 };
    }
    out
}

#[cfg(test)]
mod tests {
    use image::{ImageEncoder, Luma};
    use qrcode::QrCode;
    use rand::{Rng, SeedableRng};

    use super::*;

    /// A made-up card (no real person): a Sơn La province code, a name and address invented.
    const CARD: &str = "014099001234|123456789|Lường Thị Thử|05031992|Nữ|Bản Thử, xã Chiềng Mung, huyện Mai Sơn, Sơn La|15082021";

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 25).unwrap()
    }

    /// The code drawn at `module` pixels per module with a quiet zone.
    fn qr_image(text: &str, module: u32) -> GrayImage {
        QrCode::new(text.as_bytes())
            .unwrap()
            .render::<Luma<u8>>()
            .module_dimensions(module, module)
            .build()
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
            .unwrap();
        out
    }

    fn jpeg(image: &image::RgbImage, quality: u8) -> Vec<u8> {
        let mut out = Vec::new();
        image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, quality)
            .write_image(
                image.as_raw(),
                image.width(),
                image.height(),
                image::ExtendedColorType::Rgb8,
            )
            .unwrap();
        out
    }

    /// `image` turned by `degrees` about its centre on a white canvas large enough to hold it
    /// (bilinear sampling).
    fn rotate(image: &GrayImage, degrees: f32) -> GrayImage {
        let (w, h) = (image.width() as f32, image.height() as f32);
        let (sin, cos) = degrees.to_radians().sin_cos();
        let side = ((w * w + h * h).sqrt()).ceil() as u32 + 8;
        let c = side as f32 / 2.0;
        GrayImage::from_fn(side, side, |x, y| {
            let (dx, dy) = (x as f32 - c, y as f32 - c);
            let sx = cos * dx + sin * dy + w / 2.0;
            let sy = -sin * dx + cos * dy + h / 2.0;
            let v = imageops::sample_bilinear(image, sx / w, sy / h)
                .map(|p| p.0[0])
                .unwrap_or(255);
            Luma([v])
        })
    }

    /// Grey noise of ± `amount` levels, the same every run.
    fn noisy(image: &GrayImage, amount: i16) -> GrayImage {
        let mut rng = rand::rngs::StdRng::seed_from_u64(16);
        let mut out = image.clone();
        for pixel in out.pixels_mut() {
            let v = i16::from(pixel.0[0]) + rng.gen_range(-amount..=amount);
            pixel.0[0] = v.clamp(0, 255) as u8;
        }
        out
    }

    /// Like a phone's photo of the card: a large dim picture, the code small and grey on a
    /// grey card, light falling off across it, slightly turned, noisy, saved as JPEG.
    fn photographed(text: &str) -> Vec<u8> {
        let code = rotate(&qr_image(text, 8), 4.0);
        let (cw, ch) = code.dimensions();
        let (w, h) = (2400u32, 1800u32);
        let (ox, oy) = (900u32, 600u32);
        let mut rng = rand::rngs::StdRng::seed_from_u64(60);
        let photo = image::RgbImage::from_fn(w, h, |x, y| {
            let light = 0.75 + 0.25 * (x as f32 / w as f32);
            let base = if x >= ox && x < ox + cw && y >= oy && y < oy + ch {
                // The card's print: ink at 60, paper at 190.
                let v = f32::from(code.get_pixel(x - ox, y - oy).0[0]) / 255.0;
                60.0 + 130.0 * v
            } else {
                120.0
            };
            let v = (base * light + rng.gen_range(-18.0..18.0)).clamp(0.0, 255.0) as u8;
            image::Rgb([v, v.saturating_add(6), v.saturating_sub(6)])
        });
        jpeg(&photo, 60)
    }

    fn assert_card(card: &CccdCard) {
        assert_eq!(card.id.as_str(), "014099001234");
        assert_eq!(card.old_id.as_deref(), Some("123456789"));
        assert_eq!(
            card.full_name.as_ref().map(|n| n.as_str()),
            Some("Lường Thị Thử")
        );
        assert_eq!(
            card.birth_date.map(|d| d.date()),
            NaiveDate::from_ymd_opt(1992, 3, 5)
        );
        assert_eq!(card.sex, Some(Sex::Female));
        assert!(card.address.as_ref().unwrap().as_str().ends_with("Sơn La"));
        assert_eq!(card.issued, NaiveDate::from_ymd_opt(2021, 8, 15));
    }

    #[test]
    fn flat_pictures_have_no_code_and_do_not_panic() {
        // A white picture once overflowed the contrast stretch (`low + 16` with `low` 255).
        for level in [0u8, 128, 240, 255] {
            let flat = GrayImage::from_pixel(50, 50, image::Luma([level]));
            assert!(matches!(
                read_card(&png(&flat), today()),
                Err(CccdQrError::NoQr)
            ));
        }
    }

    #[test]
    fn a_clean_code_reads() {
        let card = read_card(&png(&qr_image(CARD, 6)), today()).unwrap();
        assert_card(&card);
    }

    #[test]
    fn a_turned_code_reads() {
        let code = qr_image(CARD, 6);
        assert_card(&read_card(&png(&imageops::rotate90(&code)), today()).unwrap());
        assert_card(&read_card(&png(&imageops::rotate180(&code)), today()).unwrap());
        assert_card(&read_card(&png(&rotate(&code, 11.0)), today()).unwrap());
    }

    #[test]
    fn a_small_code_reads() {
        let code = qr_image(CARD, 8);
        let (w, h) = code.dimensions();
        // About three pixels a module, smoothed by the scaling.
        let small = imageops::resize(&code, w * 3 / 8, h * 3 / 8, imageops::FilterType::Triangle);
        assert_card(&read_card(&png(&small), today()).unwrap());
    }

    #[test]
    fn a_noisy_code_reads() {
        let code = noisy(&qr_image(CARD, 6), 70);
        assert_card(&read_card(&png(&code), today()).unwrap());
    }

    #[test]
    fn a_jpeg_at_quality_60_reads() {
        let code = image::DynamicImage::ImageLuma8(noisy(&qr_image(CARD, 5), 30)).to_rgb8();
        assert_card(&read_card(&jpeg(&code, 60), today()).unwrap());
    }

    #[test]
    fn a_photographed_card_reads() {
        let photo = photographed(CARD);
        assert_eq!(
            image::guess_format(&photo).unwrap(),
            image::ImageFormat::Jpeg
        );
        assert_card(&read_card(&photo, today()).unwrap());
    }

    #[test]
    fn a_code_that_is_not_a_card_is_refused() {
        let url = png(&qr_image("https://dichvucong.sonla.gov.vn/", 6));
        assert_eq!(read_card(&url, today()), Err(CccdQrError::NotCccd));
        // Seven fields but no CCCD number first.
        let fields = png(&qr_image("a|b|c|d|e|f|g", 6));
        assert_eq!(read_card(&fields, today()), Err(CccdQrError::NotCccd));
    }

    #[test]
    fn a_picture_without_a_code_is_refused() {
        let plain = GrayImage::from_fn(640, 480, |x, y| Luma([((x + y) % 256) as u8]));
        assert_eq!(read_card(&png(&plain), today()), Err(CccdQrError::NoQr));
        assert_eq!(
            read_card(b"not an image at all", today()),
            Err(CccdQrError::NotAnImage)
        );
    }

    #[test]
    fn fields_read_into_the_domain_types() {
        // Empty fields stay empty; the number is enough.
        let card = CccdCard::parse("014099001234||||||", today()).unwrap();
        assert_eq!(card.full_name, None);
        assert_eq!(card.birth_date, None);
        assert_eq!(card.address, None);
        // A newer card's extra fields are ignored.
        let card = CccdCard::parse(&format!("{CARD}|extra"), today()).unwrap();
        assert_card(&card);
        let bad = |text: &str| CccdCard::parse(text, today()).unwrap_err();
        assert_eq!(
            bad("999099001234|||||| "),
            CccdQrError::BadField {
                field: CardField::IdNumber,
                invalid: Invalid("cccd-province")
            }
        );
        assert_eq!(
            bad("014099001234||Lường 3 Thử|||||"),
            CccdQrError::BadField {
                field: CardField::FullName,
                invalid: Invalid("full-name")
            }
        );
        assert_eq!(
            bad("014099001234|||31021992||||"),
            CccdQrError::BadField {
                field: CardField::BirthDate,
                invalid: Invalid("birth-date-format")
            }
        );
        assert_eq!(
            bad("014099001234|||05032020||||"),
            CccdQrError::BadField {
                field: CardField::BirthDate,
                invalid: Invalid("birth-date-age")
            }
        );
        assert_eq!(bad("014099001234|x|y"), CccdQrError::NotCccd);
        // Decomposed Vietnamese (as some encoders write it) reads as composed.
        let nfd: String = CARD.nfd().collect();
        assert_card(&CccdCard::parse(&nfd, today()).unwrap());
    }

    #[test]
    fn the_card_is_masked_in_debug() {
        let card = CccdCard::parse(CARD, today()).unwrap();
        let shown = format!("{card:?}");
        assert!(shown.contains("1234"), "{shown}");
        for secret in ["014099", "123456789", "Lường", "Chiềng", "1992"] {
            assert!(!shown.contains(secret), "{shown}");
        }
    }
}
