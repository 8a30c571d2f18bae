//! The route table, written once with `utoipa-axum`'s `OpenApiRouter`: each `routes!` entry
//! registers a handler at the path and methods its `#[utoipa::path]` declares and adds that
//! operation to the OpenAPI document, so the document lists exactly what the router serves.

use axum::Json;
use axum::extract::State;
use utoipa::OpenApi;
use utoipa::openapi::OpenApi as Doc;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{
    AppState, accounts, catalogue, console, dossiers, officer, public, questions, ratings,
};
use crate::portal::model;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "dvc-bot reference portal",
        description = "The dossier backend the bot calls (DESIGN.md, \"Contracts\"). Errors are \
                       `{\"error\": code, \"message\": ...}`."
    ),
    components(schemas(
        model::ApiErrorBody,
        model::DossierStatus,
        model::Event,
        model::EventData,
        model::OfficerActionKind,
        model::FileType,
        model::FieldKind,
        model::OnlineLevel,
        model::AccountType,
        model::Delivery
    ))
)]
struct ApiDoc;

/// The router of every route, and the OpenAPI document describing exactly those.
pub fn router_and_doc() -> (axum::Router<AppState>, Doc) {
    let (router, mut doc) = OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(catalogue::list_fields))
        .routes(routes!(catalogue::search_procedures))
        .routes(routes!(catalogue::get_procedure))
        .routes(routes!(accounts::register))
        .routes(routes!(accounts::login))
        .routes(routes!(accounts::logout))
        .routes(routes!(accounts::me))
        .routes(routes!(dossiers::create_draft))
        .routes(routes!(dossiers::list_mine))
        .routes(routes!(dossiers::get_mine))
        .routes(routes!(dossiers::update_draft))
        .routes(routes!(dossiers::upload_documents))
        .routes(routes!(dossiers::submit))
        .routes(routes!(dossiers::withdraw))
        .routes(routes!(dossiers::answer_supplement))
        .routes(routes!(dossiers::result))
        .routes(routes!(ratings::rate))
        .routes(routes!(questions::ask))
        .routes(routes!(public::lookup))
        .routes(routes!(public::events))
        .routes(routes!(officer::list_dossiers))
        .routes(routes!(officer::post_action))
        .routes(routes!(officer::get_document))
        .routes(routes!(ratings::list_ratings))
        .routes(routes!(questions::list_questions))
        .routes(routes!(questions::post_answer))
        .routes(routes!(console::dossiers::page))
        .routes(routes!(console::login))
        .routes(routes!(console::logout))
        .routes(routes!(console::dossiers::dossier))
        .routes(routes!(console::dossiers::receipt_qr))
        .routes(routes!(console::dossiers::action))
        .routes(routes!(console::dossiers::document))
        .routes(routes!(console::inbox::page))
        .routes(routes!(console::inbox::answer))
        .routes(routes!(console::ratings::page))
        .routes(routes!(console::procedures::page))
        .routes(routes!(console::procedures::poster))
        .routes(routes!(console::procedures::poster_png))
        .routes(routes!(self::openapi_json))
        .split_for_parts();
    let components = doc.components.get_or_insert_with(Default::default);
    let bearer = || SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build());
    components.add_security_scheme("session", bearer());
    components.add_security_scheme("officer", bearer());
    components.add_security_scheme("service", bearer());
    document_body_limit(&mut doc);
    (router, doc)
}

/// Every operation that reads a JSON body refuses one over `MAX_JSON_BYTES` with 413 (the
/// `ApiJson` extractor does it): said once here for all of them, so none can forget it.
fn document_body_limit(doc: &mut Doc) {
    use utoipa::openapi::{ContentBuilder, Ref, RefOr, ResponseBuilder};
    let too_large = ResponseBuilder::new()
        .description(format!(
            "the JSON body is larger than {} bytes",
            super::error::MAX_JSON_BYTES
        ))
        .content(
            "application/json",
            ContentBuilder::new()
                .schema(Some(Ref::from_schema_name("ApiErrorBody")))
                .build(),
        )
        .build();
    for item in doc.paths.paths.values_mut() {
        for op in [
            &mut item.get,
            &mut item.post,
            &mut item.put,
            &mut item.patch,
            &mut item.delete,
        ]
        .into_iter()
        .flatten()
        {
            let reads_json = op
                .request_body
                .as_ref()
                .is_some_and(|b| b.content.contains_key("application/json"));
            if reads_json {
                op.responses
                    .responses
                    .entry("413".to_owned())
                    .or_insert_with(|| RefOr::T(too_large.clone()));
            }
        }
    }
}

/// The document served at `/api/v1/openapi.json`.
#[utoipa::path(get, path = "/api/v1/openapi.json", tag = "meta",
    responses((status = 200, description = "this document", content_type = "application/json")))]
pub async fn openapi_json(State(app): State<AppState>) -> Json<Doc> {
    Json((*app.openapi).clone())
}
