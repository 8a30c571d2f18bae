//! VietQR: the NAPAS EMVCo payload of a bank transfer (bank BIN, account, amount, the payment
//! reference as its purpose) and its QR code as a PNG, which any Vietnamese banking app scans.

use std::fmt::Write as _;

use thiserror::Error;

/// NAPAS's application id (the Global Unique Identifier of field 38).
const NAPAS_GUID: &str = "A000000727";
/// The service code of a transfer to an account (as opposed to a card).
const TRANSFER_TO_ACCOUNT: &str = "QRIBFTTA";
/// ISO 4217 numeric code of the đồng.
const CURRENCY_VND: &str = "704";
/// Longest account number NAPAS carries.
const MAX_ACCOUNT_CHARS: usize = 19;
/// Longest purpose (field 62, sub-field 08) banking apps keep.
const MAX_REFERENCE_CHARS: usize = 25;
/// Largest amount field: 13 digits.
const MAX_AMOUNT: i64 = 9_999_999_999_999;
/// Pixels per QR module of the PNG, and the quiet zone is added by the renderer.
const MODULE_PIXELS: u32 = 8;

/// The treasury account fees are paid to (`DVC_BANK_BIN`, `DVC_BANK_ACCOUNT`,
/// `DVC_BANK_ACCOUNT_NAME`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BankAccount {
    /// The bank's 6-digit NAPAS BIN.
    pub bin: String,
    pub account: String,
    /// The account holder as the bank shows it.
    pub name: String,
    /// Sample values (sandbox mode): said so next to the code.
    pub sample: bool,
}

impl BankAccount {
    /// An account from its settings; refuses a BIN that is not 6 digits or an account that is
    /// not 1 to 19 letters and digits.
    pub fn new(bin: &str, account: &str, name: &str) -> Result<Self, VietQrError> {
        let bin = bin.trim();
        let account = account.trim();
        if bin.len() != 6 || !bin.bytes().all(|b| b.is_ascii_digit()) {
            return Err(VietQrError::Bin);
        }
        if account.is_empty()
            || account.len() > MAX_ACCOUNT_CHARS
            || !account.bytes().all(|b| b.is_ascii_alphanumeric())
        {
            return Err(VietQrError::Account);
        }
        Ok(Self {
            bin: bin.to_owned(),
            account: account.to_owned(),
            name: name.trim().to_owned(),
            sample: false,
        })
    }

    /// The sample account of sandbox mode (marked as such wherever it is shown).
    pub fn sample() -> Self {
        Self {
            bin: "970436".into(),
            account: "0123456789".into(),
            name: "KHO BAC NHA NUOC TINH SON LA (MAU)".into(),
            sample: true,
        }
    }
}

#[derive(Debug, Error, PartialEq, Eq)]
pub enum VietQrError {
    #[error("the bank BIN must be 6 digits")]
    Bin,
    #[error("the account number must be 1 to 19 letters and digits")]
    Account,
    #[error("the amount must be between 1 and 9999999999999 đồng")]
    Amount,
    #[error("the payment reference must be 1 to 25 letters, digits, spaces, '.' or '-'")]
    Reference,
    #[error("the QR code cannot be drawn: {0}")]
    Encode(String),
}

/// One EMVCo field: ID, 2-digit length, value.
fn field(out: &mut String, id: &str, value: &str) {
    // Every value here is ASCII and at most 99 bytes (checked by the callers).
    let _ = write!(out, "{id}{:02}{value}", value.len());
}

/// The payment reference as a purpose banking apps carry: letters, digits, spaces, `.` and `-`.
fn checked_reference(reference: &str) -> Result<&str, VietQrError> {
    let reference = reference.trim();
    let ok = !reference.is_empty()
        && reference.len() <= MAX_REFERENCE_CHARS
        && reference
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b' ' || b == b'.' || b == b'-');
    ok.then_some(reference).ok_or(VietQrError::Reference)
}

/// The payload text of a transfer of `amount` đồng to `bank` with `reference` as its purpose.
pub fn payload(bank: &BankAccount, amount: i64, reference: &str) -> Result<String, VietQrError> {
    if !(1..=MAX_AMOUNT).contains(&amount) {
        return Err(VietQrError::Amount);
    }
    let reference = checked_reference(reference)?;
    let mut beneficiary = String::new();
    field(&mut beneficiary, "00", &bank.bin);
    field(&mut beneficiary, "01", &bank.account);
    let mut merchant = String::new();
    field(&mut merchant, "00", NAPAS_GUID);
    field(&mut merchant, "01", &beneficiary);
    field(&mut merchant, "02", TRANSFER_TO_ACCOUNT);
    let mut additional = String::new();
    field(&mut additional, "08", reference);

    let mut out = String::new();
    field(&mut out, "00", "01");
    // Dynamic: the amount is set.
    field(&mut out, "01", "12");
    field(&mut out, "38", &merchant);
    field(&mut out, "53", CURRENCY_VND);
    field(&mut out, "54", &amount.to_string());
    field(&mut out, "58", "VN");
    field(&mut out, "62", &additional);
    out.push_str("6304");
    let crc = crc16_ccitt_false(out.as_bytes());
    let _ = write!(out, "{crc:04X}");
    Ok(out)
}

/// CRC-16/CCITT-FALSE: polynomial 0x1021, initial value 0xFFFF, no reflection, no final XOR.
pub fn crc16_ccitt_false(data: &[u8]) -> u16 {
    crc::Crc::<u16>::new(&crc::CRC_16_IBM_3740).checksum(data)
}

/// The payload as a QR code in a PNG (black on white, with its quiet zone).
pub fn png(payload: &str) -> Result<Vec<u8>, VietQrError> {
    let code = qrcode::QrCode::with_error_correction_level(payload, qrcode::EcLevel::M)
        .map_err(|e| VietQrError::Encode(e.to_string()))?;
    let image = code
        .render::<image::Luma<u8>>()
        .module_dimensions(MODULE_PIXELS, MODULE_PIXELS)
        .build();
    let mut out = std::io::Cursor::new(Vec::new());
    image
        .write_to(&mut out, image::ImageFormat::Png)
        .map_err(|e| VietQrError::Encode(e.to_string()))?;
    Ok(out.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The CRC computed bit by bit, independently of the crate used above.
    fn crc_bitwise(data: &[u8]) -> u16 {
        let mut crc: u16 = 0xFFFF;
        for byte in data {
            crc ^= u16::from(*byte) << 8;
            for _ in 0..8 {
                crc = if crc & 0x8000 != 0 {
                    (crc << 1) ^ 0x1021
                } else {
                    crc << 1
                };
            }
        }
        crc
    }

    fn bank() -> BankAccount {
        BankAccount::new("970436", "0123456789", "KHO BAC").unwrap()
    }

    #[test]
    fn the_published_check_value() {
        assert_eq!(crc16_ccitt_false(b"123456789"), 0x29B1);
        assert_eq!(crc_bitwise(b"123456789"), 0x29B1);
    }

    #[test]
    fn the_payload_field_by_field() {
        let text = payload(&bank(), 1_250_000, "000.00.25.H50-261125-0001").unwrap();
        // Written out by hand from DESIGN.md's layout: ID, length, value.
        let body = concat!(
            "000201",
            "010212",
            "3854",
            "0010A000000727",
            "0124",
            "0006970436",
            "01100123456789",
            "0208QRIBFTTA",
            "5303704",
            "54071250000",
            "5802VN",
            "6229",
            "0825000.00.25.H50-261125-0001",
            "6304",
        );
        assert_eq!(&text[..body.len()], body);
        let crc = format!("{:04X}", crc_bitwise(body.as_bytes()));
        assert_eq!(text, format!("{body}{crc}"));
    }

    #[test]
    fn bad_values_are_refused() {
        assert_eq!(
            BankAccount::new("97043", "1", "x").unwrap_err(),
            VietQrError::Bin
        );
        assert_eq!(
            BankAccount::new("970436", "12 34", "x").unwrap_err(),
            VietQrError::Account
        );
        assert_eq!(payload(&bank(), 0, "x").unwrap_err(), VietQrError::Amount);
        assert_eq!(
            payload(&bank(), 1, "phí/lệ phí").unwrap_err(),
            VietQrError::Reference
        );
        assert_eq!(
            payload(&bank(), 1, &"9".repeat(26)).unwrap_err(),
            VietQrError::Reference
        );
    }

    #[test]
    fn the_png_decodes_to_the_payload() {
        let text = payload(&bank(), 150_000, "LP 2026 0001").unwrap();
        let png = png(&text).unwrap();
        assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"));
        let image = image::load_from_memory(&png).unwrap().to_luma8();
        let mut prepared = rqrr::PreparedImage::prepare(image);
        let grids = prepared.detect_grids();
        assert_eq!(grids.len(), 1);
        let (_, decoded) = grids[0].decode().unwrap();
        assert_eq!(decoded, text);
    }
}
