//! Password checks run on a fixed set of threads. Argon2id at the standard cost takes 19 MiB
//! and tens of milliseconds of CPU; on tokio's blocking pool every concurrent login got a
//! thread (up to 512) and its own 19 MiB. Here at most [`super::Limits::password_workers`]
//! hashes run at once and each thread reuses its Argon2 memory
//! (`reference::password`), so that memory is bounded by the number of workers; the other
//! requests wait in a queue without holding a thread.

use std::panic::AssertUnwindSafe;
use std::sync::mpsc;
use std::sync::{Arc, Mutex, PoisonError};

type Job = Box<dyn FnOnce() + Send>;

/// A fixed pool of password-checking threads; they stop when the pool is dropped.
#[derive(Debug)]
pub struct PasswordWorkers {
    jobs: mpsc::Sender<Job>,
}

impl PasswordWorkers {
    /// Starts `count` threads (at least one).
    ///
    /// # Errors
    /// A thread cannot be started.
    pub fn start(count: usize) -> std::io::Result<PasswordWorkers> {
        let (jobs, queue) = mpsc::channel::<Job>();
        let queue = Arc::new(Mutex::new(queue));
        for n in 0..count.max(1) {
            let queue = Arc::clone(&queue);
            std::thread::Builder::new().name(format!("password-{n}")).spawn(move || {
                loop {
                    // The lock is released at the end of this statement, before the job runs.
                    let next = queue.lock().unwrap_or_else(PoisonError::into_inner).recv();
                    let Ok(job) = next else { return };
                    // A job that panics drops its reply channel, so its request answers "worker
                    // failed"; the thread goes on serving the others.
                    let _ = std::panic::catch_unwind(AssertUnwindSafe(job));
                }
            })?;
        }
        Ok(PasswordWorkers { jobs })
    }

    /// Runs `job` on a worker and waits for its result without blocking the async thread;
    /// `None` if the job panicked.
    pub async fn run<T: Send + 'static>(&self, job: impl FnOnce() -> T + Send + 'static) -> Option<T> {
        let (reply, answer) = tokio::sync::oneshot::channel();
        let job: Job = Box::new(move || {
            // The requester may have gone (its connection closed): nobody to tell.
            let _ = reply.send(job());
        });
        self.jobs.send(job).ok()?;
        answer.await.ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn jobs_run_on_at_most_the_workers_and_survive_a_panic() {
        let workers = PasswordWorkers::start(2).unwrap();
        let names: Vec<_> = futures::future::join_all(
            (0..16).map(|_| workers.run(|| std::thread::current().name().unwrap_or("").to_owned())),
        )
        .await
        .into_iter()
        .map(Option::unwrap)
        .collect();
        assert!(names.iter().all(|n| n == "password-0" || n == "password-1"), "{names:?}");
        assert_eq!(workers.run(|| -> u8 { panic!("boom") }).await, None);
        assert_eq!(workers.run(|| 7).await, Some(7));
    }
}
