//! Accepting connections under [`Limits`]: at most `max_connections` at once (the next waits
//! in the kernel's backlog), each with the header timeout enforced by hyper. A connection that
//! sends half a request is closed when its time is up, so held connections cannot lock other
//! clients out.

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;

use super::Limits;

/// How long to wait before accepting again when the process is out of descriptors or memory.
const ACCEPT_BACKOFF: Duration = Duration::from_millis(100);

/// Serves `app` on `listener` until the task is dropped.
pub(super) async fn accept(listener: TcpListener, app: Router, limits: Limits) {
    let slots = Arc::new(Semaphore::new(limits.max_connections.max(1)));
    let mut http = http1::Builder::new();
    http.timer(TokioTimer::new()).header_read_timeout(limits.header_timeout);
    loop {
        // The semaphore is never closed, so acquiring only waits.
        let Ok(slot) = Arc::clone(&slots).acquire_owned().await else { return };
        let stream = match listener.accept().await {
            Ok((stream, _)) => stream,
            Err(e) if is_connection_error(&e) => continue,
            Err(e) => {
                tracing::warn!(error = %e, "cannot accept a connection; retrying");
                // Real time on purpose: this is the HTTP server's accept loop, not simulated
                // time. Out of file descriptors, accept fails at once until one is freed, so
                // retrying without a pause would spin a core.
                tokio::time::sleep(ACCEPT_BACKOFF).await;
                continue;
            }
        };
        // Answers are small and written at once; do not let Nagle hold them back.
        let _ = stream.set_nodelay(true);
        let connection = http.serve_connection(TokioIo::new(stream), TowerToHyperService::new(app.clone()));
        tokio::spawn(async move {
            // A client that resets, times out or sends garbage ends only its own connection.
            let _ = connection.await;
            drop(slot);
        });
    }
}

/// Errors of one incoming connection (not of the listener), after which accepting goes on.
fn is_connection_error(e: &std::io::Error) -> bool {
    use std::io::ErrorKind;
    matches!(
        e.kind(),
        ErrorKind::ConnectionRefused | ErrorKind::ConnectionAborted | ErrorKind::ConnectionReset
    )
}
