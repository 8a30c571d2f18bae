//! The route table, written once: each entry registers its handler on the router at the path
//! and methods its `#[utoipa::path]` declares, and adds that operation to the OpenAPI document,
//! so the document lists exactly what the router serves.

use axum::Json;
use axum::extract::State;
use axum::routing::{MethodFilter, MethodRouter, on};
use utoipa::openapi::path::{HttpMethod, Paths};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{OpenApi as Doc, RefOr, schema::Schema};
use utoipa::{__dev::SchemaReferences, OpenApi, Path};

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

fn filter_of(method: &HttpMethod) -> MethodFilter {
    match method {
        HttpMethod::Get => MethodFilter::GET,
        HttpMethod::Post => MethodFilter::POST,
        HttpMethod::Put => MethodFilter::PUT,
        HttpMethod::Delete => MethodFilter::DELETE,
        HttpMethod::Options => MethodFilter::OPTIONS,
        HttpMethod::Head => MethodFilter::HEAD,
        HttpMethod::Patch => MethodFilter::PATCH,
        HttpMethod::Trace => MethodFilter::TRACE,
    }
}

/// The router and the document being built together.
struct Table {
    router: axum::Router<AppState>,
    paths: Paths,
    schemas: Vec<(String, RefOr<Schema>)>,
    /// (operation id, handler name) per route, to check that each entry names its own doc.
    names: Vec<(Option<String>, &'static str)>,
}

impl Table {
    fn add<P: Path + SchemaReferences, H, T>(mut self, name: &'static str, handler: H) -> Self
    where
        H: axum::handler::Handler<T, AppState>,
        T: 'static,
    {
        let path = P::path();
        let methods = P::methods();
        let filter = methods
            .iter()
            .map(filter_of)
            .reduce(|a, b| a.or(b))
            .unwrap_or(MethodFilter::GET);
        let route: MethodRouter<AppState> = on(filter, handler);
        self.router = self.router.route(&path, route);
        self.names.push((P::operation().operation_id.clone(), name));
        self.paths
            .add_path_operation(&path, methods, P::operation());
        P::schemas(&mut self.schemas);
        self
    }
}

/// One entry per route: `module::handler => module::__path_handler` (the type
/// `#[utoipa::path]` generates beside each handler; a test checks each pair matches).
macro_rules! routes {
    ($table:expr, $($module:ident :: $handler:ident => $doc:ident),* $(,)?) => {{
        let t = $table;
        $( let t = t.add::<$module::$doc, _, _>(stringify!($handler), $module::$handler); )*
        t
    }};
}

fn table() -> Table {
    let t = Table {
        router: axum::Router::new(),
        paths: Paths::new(),
        schemas: Vec::new(),
        names: Vec::new(),
    };
    routes!(t,
        catalogue::list_fields => __path_list_fields,
        catalogue::search_procedures => __path_search_procedures,
        catalogue::get_procedure => __path_get_procedure,
        accounts::register => __path_register,
        accounts::login => __path_login,
        accounts::logout => __path_logout,
        dossiers::create_draft => __path_create_draft,
        dossiers::list_mine => __path_list_mine,
        dossiers::get_mine => __path_get_mine,
        dossiers::update_draft => __path_update_draft,
        dossiers::upload_documents => __path_upload_documents,
        dossiers::submit => __path_submit,
        dossiers::withdraw => __path_withdraw,
        dossiers::answer_supplement => __path_answer_supplement,
        dossiers::result => __path_result,
        ratings::rate => __path_rate,
        questions::ask => __path_ask,
        public::lookup => __path_lookup,
        public::events => __path_events,
        officer::list_dossiers => __path_list_dossiers,
        officer::post_action => __path_post_action,
        officer::get_document => __path_get_document,
        ratings::list_ratings => __path_list_ratings,
        questions::list_questions => __path_list_questions,
        questions::post_answer => __path_post_answer,
        console::page => __path_page,
        console::login => __path_login,
        console::action => __path_action,
        console::document => __path_document,
        self::openapi_json => __path_openapi_json,
    )
}

/// The router of every route, and the OpenAPI document describing exactly those.
pub fn router_and_doc() -> (axum::Router<AppState>, Doc) {
    let t = table();
    let mut doc = ApiDoc::openapi();
    doc.paths = t.paths;
    let mut components = doc.components.take().unwrap_or_default();
    for (name, schema) in t.schemas {
        components.schemas.entry(name).or_insert(schema);
    }
    let bearer = || SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build());
    components.add_security_scheme("session", bearer());
    components.add_security_scheme("officer", bearer());
    components.add_security_scheme("service", bearer());
    doc.components = Some(components);
    (t.router, doc)
}

/// The document served at `/api/v1/openapi.json`.
#[utoipa::path(get, path = "/api/v1/openapi.json", tag = "meta",
    responses((status = 200, description = "this document", content_type = "application/json")))]
pub async fn openapi_json(State(app): State<AppState>) -> Json<Doc> {
    Json((*app.openapi).clone())
}

#[cfg(test)]
mod tests {
    #[test]
    fn each_entry_names_its_own_doc() {
        for (operation_id, handler) in super::table().names {
            assert_eq!(operation_id.as_deref(), Some(handler));
        }
    }
}
