//! The officer console at `/officer`: a small server-rendered site from askama templates
//! (`templates/console/`, every value escaped, no scripts), readable on a phone. Each page is
//! one file: the dossiers (`dossiers`: search, paging, a dossier's page and its actions), the
//! questions inbox (`inbox`), the ratings (`ratings`), the procedures with their QR posters
//! (`procedures`). Every action is made as the logged-in officer and recorded with their name.

pub mod dates;
pub mod dossiers;
pub mod inbox;
pub mod procedures;
pub mod ratings;

use askama::Template;
use axum::extract::{Form, State};
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::AppState;
use super::accounts::{OFFICER_COOKIE, Officer};
use super::error::ApiError;
use super::officers::console_cookie_value;

/// Longest text read from a console form field.
pub const MAX_FORM_TEXT: usize = 2000;

/// The console's sections, as the menu names them.
const SECTIONS: [(&str, &str); 4] = [
    ("/officer", "Hồ sơ"),
    ("/officer/questions", "Câu hỏi"),
    ("/officer/ratings", "Đánh giá"),
    ("/officer/procedures", "Thủ tục, áp phích QR"),
];

/// The menu on top of every page, and who is logged in.
pub struct Nav {
    pub officer: String,
    pub links: Vec<NavLink>,
}

pub struct NavLink {
    pub href: &'static str,
    pub label: &'static str,
    pub current: bool,
}

impl Nav {
    pub fn new(officer: &Officer, current: &str) -> Self {
        Self {
            officer: officer.name.clone(),
            links: SECTIONS
                .iter()
                .map(|&(href, label)| NavLink {
                    href,
                    label,
                    current: href == current,
                })
                .collect(),
        }
    }
}

#[derive(Template)]
#[template(path = "console/error.html")]
struct ErrorPage<'a> {
    title: &'a str,
    message: &'a str,
    back: &'a str,
}

#[derive(Template)]
#[template(path = "console/login.html")]
struct LoginPage<'a> {
    title: &'a str,
    message: &'a str,
}

/// A rendered template as a response with `status`.
pub fn html(status: StatusCode, page: impl Template) -> Response {
    match page.render() {
        Ok(body) => (status, Html(body)).into_response(),
        Err(error) => ApiError::Internal(format!("console template: {error}")).into_response(),
    }
}

/// A page saying what went wrong, in Vietnamese, with a link back to `back`.
pub fn error_page(status: StatusCode, message: &str, back: &str) -> Response {
    html(
        status,
        ErrorPage {
            title: "Lỗi",
            message,
            back,
        },
    )
}

/// The login form (401): what an unauthenticated visitor of any page gets.
pub fn login_page() -> Response {
    login_form(StatusCode::UNAUTHORIZED, "")
}

fn login_form(status: StatusCode, message: &str) -> Response {
    html(
        status,
        LoginPage {
            title: "Cán bộ đăng nhập",
            message,
        },
    )
}

/// What went wrong in an officer's request, as a sentence in Vietnamese (the API's own
/// message, in English, follows it in brackets when it adds something).
pub fn explain(error: ApiError, back: &str) -> Response {
    let (status, message) = match error {
        ApiError::Invalid {
            ref fields,
            ref message,
            ..
        } => {
            let said = fields
                .first()
                .and_then(|f| field_sentence(&f.field, &f.code));
            (
                StatusCode::UNPROCESSABLE_ENTITY,
                said.map(str::to_owned)
                    .unwrap_or_else(|| format!("Giá trị không hợp lệ ({message}).")),
            )
        }
        ApiError::Client {
            status,
            ref message,
            ..
        } => {
            let said = match status.as_u16() {
                404 => "Không tìm thấy.",
                409 => "Không thể làm thao tác này ở trạng thái hiện tại.",
                413 => "Tệp lớn quá (kết quả tối đa 10 MB).",
                415 => "Tệp kết quả phải là PDF, JPEG hoặc PNG.",
                _ => "Yêu cầu không hợp lệ.",
            };
            (status, format!("{said} (Chi tiết: {message})"))
        }
        other => return other.into_response(),
    };
    error_page(status, &message, back)
}

/// The sentence for a refused field, by the API's field and code.
fn field_sentence(field: &str, code: &str) -> Option<&'static str> {
    Some(match (field, code) {
        ("reason", "required") => "Hãy ghi lý do.",
        ("reason", _) => "Lý do dài quá 1000 ký tự.",
        ("deadline", "required") => "Hãy nhập hạn theo dạng ngày/tháng/năm, ví dụ 25/12/2026.",
        ("deadline", "past") => "Hạn đã qua: hãy nhập một ngày từ hôm nay trở đi.",
        ("deadline", "too-far") => "Hạn xa quá 5 năm: hãy kiểm tra lại năm.",
        ("amount", "required") => "Hãy nhập số tiền (đồng).",
        ("amount", _) => "Số tiền phải là số đồng lớn hơn 0 và không quá 100 tỷ.",
        ("missing_papers", _) => "Hãy chọn ít nhất một giấy tờ còn thiếu.",
        ("result", _) => "Hãy chọn tệp kết quả (PDF, JPEG hoặc PNG).",
        ("result.file_name", _) => "Tên tệp kết quả không hợp lệ.",
        ("answer", "required") => "Hãy viết câu trả lời.",
        ("answer", _) => "Câu trả lời dài quá 2000 ký tự.",
        _ => return None,
    })
}

#[derive(Debug, Deserialize)]
pub struct LoginForm {
    token: String,
}

/// Logs the officer into the console (an HttpOnly, SameSite=Strict cookie derived from their
/// token, which names them).
#[utoipa::path(post, path = "/officer/login", tag = "officer console", operation_id = "console_login",
    request_body(content_type = "application/x-www-form-urlencoded", description = "token=<officer token>"),
    responses((status = 303, description = "to /officer"), (status = 401, description = "wrong token", content_type = "text/html"),
              (status = 400, description = "malformed request: body, query or path value", content_type = "text/html")))]
pub async fn login(
    State(app): State<AppState>,
    form: Result<Form<LoginForm>, axum::extract::rejection::FormRejection>,
) -> Response {
    let Ok(Form(form)) = form else {
        return error_page(
            StatusCode::BAD_REQUEST,
            "Biểu mẫu không hợp lệ.",
            "/officer",
        );
    };
    let token = form.token.trim();
    if app.officers.by_token(token).is_none() {
        return login_form(StatusCode::UNAUTHORIZED, "Mã truy cập không đúng.");
    }
    let cookie = format!(
        "{OFFICER_COOKIE}={}; HttpOnly; SameSite=Strict; Path=/officer",
        console_cookie_value(token)
    );
    ([(header::SET_COOKIE, cookie)], Redirect::to("/officer")).into_response()
}

/// Logs the officer out of the console (the cookie is cleared).
#[utoipa::path(post, path = "/officer/logout", tag = "officer console", operation_id = "console_logout",
    responses((status = 303, description = "to /officer (the login form)"),
              (status = 401, description = "the login form, where the redirect leads", content_type = "text/html")))]
pub async fn logout() -> Response {
    let cookie = format!("{OFFICER_COOKIE}=; HttpOnly; SameSite=Strict; Path=/officer; Max-Age=0");
    ([(header::SET_COOKIE, cookie)], Redirect::to("/officer")).into_response()
}

/// A query value for a link (`q=…`).
pub fn query_value(value: &str) -> String {
    url::form_urlencoded::byte_serialize(value.as_bytes()).collect()
}

/// `https://t.me/<bot>?start=<prefix><code with dots as _>`: the bot's deep links (Telegram
/// allows only `A-Za-z0-9_-` in a start payload; the bot reads `_` back as `.`).
pub fn deep_link(bot_username: &str, prefix: &str, code: &str) -> String {
    format!(
        "https://t.me/{bot_username}?start={prefix}{}",
        code.replace('.', "_")
    )
}

/// Pixels per QR module: a poster's code scans from a metre away when printed on A4.
const QR_MODULE_PIXELS: u32 = 12;

/// `text` as a QR code in a PNG (black on white, with its quiet zone).
pub fn qr_png(text: &str) -> Result<Vec<u8>, ApiError> {
    let code = qrcode::QrCode::with_error_correction_level(text, qrcode::EcLevel::M)
        .map_err(|e| ApiError::Internal(format!("QR code: {e}")))?;
    let image = code
        .render::<image::Luma<u8>>()
        .module_dimensions(QR_MODULE_PIXELS, QR_MODULE_PIXELS)
        .build();
    let mut out = std::io::Cursor::new(Vec::new());
    image
        .write_to(&mut out, image::ImageFormat::Png)
        .map_err(|e| ApiError::Internal(format!("QR code: {e}")))?;
    Ok(out.into_inner())
}

/// A PNG as a response.
pub fn png_response(bytes: Vec<u8>) -> Response {
    (
        [
            (header::CONTENT_TYPE, "image/png"),
            (header::CACHE_CONTROL, "private, max-age=300"),
        ],
        bytes,
    )
        .into_response()
}

/// The bot's username, or the sentence saying it is not configured.
pub fn bot_username(app: &AppState) -> Result<&str, ApiError> {
    app.bot_username.as_deref().ok_or_else(|| {
        ApiError::client(
            StatusCode::CONFLICT,
            "no_bot_username",
            "the bot's username is not configured (DVC_BOT_USERNAME)",
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deep_links_carry_codes_with_underscores() {
        assert_eq!(
            deep_link("dvc_bot", "proc_", "1.001193"),
            "https://t.me/dvc_bot?start=proc_1_001193"
        );
        assert_eq!(
            deep_link("dvc_bot", "status_", "000.00.25.H50-261125-0001"),
            "https://t.me/dvc_bot?start=status_000_00_25_H50-261125-0001"
        );
    }

    #[test]
    fn the_qr_png_decodes_to_the_link() {
        let link = deep_link("sandbox123456_bot", "proc_", "1.001193");
        let png = qr_png(&link).unwrap();
        let image = image::load_from_memory(&png).unwrap().to_luma8();
        let mut prepared = rqrr::PreparedImage::prepare(image);
        let grids = prepared.detect_grids();
        assert_eq!(grids.len(), 1);
        assert_eq!(grids[0].decode().unwrap().1, link);
    }
}
