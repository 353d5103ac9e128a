//! A bound on the input bytes between stdin and the socket. The stdin thread takes a permit for
//! each batch before handing it over and the writer drops it once the batch is written, so a
//! slow server slows stdin down and memory holds at most the budget, or one larger message.

use std::sync::{Arc, Condvar, Mutex, PoisonError};

/// How many bytes of input may be on their way to the socket at once.
pub const BYTES_IN_FLIGHT: usize = 1 << 20;

#[derive(Debug)]
pub struct Budget {
    limit: usize,
    used: Mutex<usize>,
    freed: Condvar,
}

/// Bytes taken from a budget, given back when dropped.
#[derive(Debug)]
pub struct Permit {
    budget: Arc<Budget>,
    bytes: usize,
}

impl Budget {
    pub fn new(limit: usize) -> Arc<Budget> {
        Arc::new(Budget {
            limit,
            used: Mutex::new(0),
            freed: Condvar::new(),
        })
    }

    /// Waits until `bytes` fit in the budget; a batch larger than the whole budget waits until
    /// nothing else is in flight, then goes alone.
    pub fn take(self: &Arc<Self>, bytes: usize) -> Permit {
        // A poisoned lock only means another thread panicked while counting: the count is fine.
        let mut used = self.used.lock().unwrap_or_else(PoisonError::into_inner);
        while *used > 0 && *used + bytes > self.limit {
            used = self
                .freed
                .wait(used)
                .unwrap_or_else(PoisonError::into_inner);
        }
        *used += bytes;
        Permit {
            budget: Arc::clone(self),
            bytes,
        }
    }
}

impl Drop for Permit {
    fn drop(&mut self) {
        let mut used = self
            .budget
            .used
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        *used -= self.bytes;
        self.budget.freed.notify_all();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::mpsc;
    use std::time::Duration;

    #[test]
    fn a_batch_waits_until_earlier_ones_are_written() {
        let budget = Budget::new(10);
        let first = budget.take(8);
        let (done, taken) = mpsc::channel();
        let waiting = Arc::clone(&budget);
        std::thread::spawn(move || {
            let _second = waiting.take(5);
            let _ = done.send(());
        });
        // The second batch cannot fit while the first is in flight.
        assert!(taken.recv_timeout(Duration::from_millis(50)).is_err());
        drop(first);
        assert!(taken.recv_timeout(Duration::from_secs(10)).is_ok());
    }

    #[test]
    fn stdin_s_budget_holds_a_mebibyte_in_flight() {
        let budget = Budget::new(BYTES_IN_FLIGHT);
        let (done, taken) = mpsc::channel();
        std::thread::spawn(move || {
            let _held: Vec<Permit> = (0..16).map(|_| budget.take(64 * 1024)).collect();
            let _ = done.send(());
        });
        assert!(
            taken.recv_timeout(Duration::from_secs(10)).is_ok(),
            "sixteen batches of 64 KiB are in flight at once"
        );
    }

    #[test]
    fn a_batch_larger_than_the_budget_goes_alone() {
        let budget = Budget::new(10);
        let big = budget.take(100);
        drop(big);
        let _small = budget.take(3);
        let _another = budget.take(7);
    }
}
