//! Who may call the privileged routes (`/v1/admin/*`, `/v1/test/*`): they create accounts,
//! bind devices to chosen secrets and read SMS codes, so with an admin token configured they
//! answer only requests carrying `Authorization: Bearer <token>`.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::App;
use super::api::ApiError;

/// Whether a route is privileged (needs the admin token when one is configured).
pub fn is_privileged(path: &str) -> bool {
    path.starts_with("/v1/admin/") || path.starts_with("/v1/test/")
}

/// Middleware on the privileged routes: 401 without the configured token.
pub(super) async fn require_admin_token(
    State(app): State<Arc<App>>,
    request: Request,
    next: Next,
) -> Response {
    let Some(token) = &app.admin_token else { return next.run(request).await };
    let presented = request.headers().get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()).unwrap_or("");
    if token.authorizes(presented) {
        return next.run(request).await;
    }
    let mut response = ApiError::new(
        StatusCode::UNAUTHORIZED,
        "unauthorized",
        "this route needs the admin token: Authorization: Bearer <token>",
    )
    .into_response();
    response.headers_mut().insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
    response
}
