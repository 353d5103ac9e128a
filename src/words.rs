//! Words for people: counts with the right plural.

/// `1 message`, `2 messages`, `0 messages`.
pub fn plural(count: u64, noun: &str) -> String {
    if count == 1 {
        format!("1 {noun}")
    } else {
        format!("{count} {noun}s")
    }
}

#[cfg(test)]
mod tests {
    use super::plural;

    #[test]
    fn one_is_singular_and_every_other_count_is_plural() {
        assert_eq!(plural(0, "line"), "0 lines");
        assert_eq!(plural(1, "line"), "1 line");
        assert_eq!(plural(2, "message"), "2 messages");
    }
}
