//! Numbers in words: `1 message`, `2 messages`, `0 bytes`.

/// `n` and the noun, plural unless `n` is 1: `plural(1, "message")` is `1 message`.
pub fn plural(n: u64, noun: &str) -> String {
    match n {
        1 => format!("1 {noun}"),
        n => format!("{n} {noun}s"),
    }
}

#[cfg(test)]
mod tests {
    use super::plural;

    #[test]
    fn one_is_singular_and_every_other_count_plural() {
        assert_eq!(plural(0, "message"), "0 messages");
        assert_eq!(plural(1, "message"), "1 message");
        assert_eq!(plural(2, "byte"), "2 bytes");
    }
}
