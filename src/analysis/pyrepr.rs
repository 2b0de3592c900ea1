//! Python `repr()` text read back as data: DSPy callbacks and `lm.history`
//! log results as `Prediction(\n    reasoning='…',\n    answer='…'\n)` or
//! `Response(text='…', finish_reason='stop', usage=Usage(…))`, and dicts as
//! `{'args': [], 'kwargs': {…}}`. Read into a JSON value so that views show
//! fields, not a repr.
//!
//! Understands strings (`'…'`, `"…"`, with Python escapes, `b`/`r`/`u`
//! prefixes), numbers, `True`/`False`/`None`, lists, tuples, sets, dicts,
//! calls with positional and keyword arguments (`Name(a, k=v)` → an object
//! of the keywords, positional ones under `"0"`, `"1"`…), bare names and
//! `<object at 0x…>` placeholders (→ their text). Anything else: `None`,
//! and the caller shows the text as it is. Nesting is bounded.

use serde_json::{Map, Number, Value};

const MAX_DEPTH: usize = 64;

/// A parsed repr: the class of a call at the top (`Prediction`), if any,
/// and the value.
#[derive(Debug, Clone, PartialEq)]
pub struct Repr {
    pub class: Option<String>,
    pub value: Value,
}

/// Reads a whole repr; `None` unless all of `text` is one value that looks
/// like a repr (a call, dict, list or tuple: plain words are not reprs).
pub fn parse(text: &str) -> Option<Repr> {
    let trimmed = text.trim();
    let first = trimmed.chars().next()?;
    if !(first.is_ascii_alphabetic() || matches!(first, '{' | '[' | '(' | '_')) {
        return None;
    }
    let mut p = Parser {
        s: trimmed.as_bytes(),
        at: 0,
        depth: 0,
    };
    let class = p.peek_call_name();
    let value = p.value()?;
    p.ws();
    if p.at != p.s.len() {
        return None;
    }
    let structured = matches!(value, Value::Object(_) | Value::Array(_));
    structured.then_some(Repr { class, value })
}

struct Parser<'a> {
    s: &'a [u8],
    at: usize,
    depth: usize,
}

impl Parser<'_> {
    fn ws(&mut self) {
        while self.at < self.s.len() && self.s[self.at].is_ascii_whitespace() {
            self.at += 1;
        }
    }

    fn peek(&self) -> Option<u8> {
        self.s.get(self.at).copied()
    }

    fn eat(&mut self, c: u8) -> bool {
        self.ws();
        if self.peek() == Some(c) {
            self.at += 1;
            true
        } else {
            false
        }
    }

    fn ident(&mut self) -> Option<String> {
        let start = self.at;
        while self
            .peek()
            .is_some_and(|c| c.is_ascii_alphanumeric() || c == b'_' || c == b'.')
        {
            self.at += 1;
        }
        (self.at > start).then(|| String::from_utf8_lossy(&self.s[start..self.at]).into_owned())
    }

    /// The name of a call that starts here, without consuming it.
    fn peek_call_name(&mut self) -> Option<String> {
        let save = self.at;
        self.ws();
        let name = self.ident();
        let call = self.peek() == Some(b'(');
        self.at = save;
        name.filter(|_| call)
    }

    fn value(&mut self) -> Option<Value> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return None;
        }
        self.ws();
        let out = match self.peek()? {
            b'\'' | b'"' => self.string().map(Value::String),
            b'[' => self.sequence(b']').map(Value::Array),
            b'(' => self.sequence(b')').map(Value::Array),
            b'{' => self.braces(),
            b'<' => self.placeholder().map(Value::String),
            b'-' | b'0'..=b'9' => self.number(),
            c if c.is_ascii_alphabetic() || c == b'_' => self.word(),
            _ => None,
        };
        self.depth -= 1;
        out
    }

    /// A name: a constant, a string prefix, or a call.
    fn word(&mut self) -> Option<Value> {
        let start = self.at;
        let name = self.ident()?;
        if matches!(self.peek(), Some(b'\'' | b'"'))
            && matches!(
                name.to_ascii_lowercase().as_str(),
                "b" | "r" | "u" | "rb" | "br"
            )
        {
            return self.string().map(Value::String);
        }
        if self.peek() == Some(b'(') {
            self.at += 1;
            return self.call_args();
        }
        Some(match name.as_str() {
            "True" => Value::Bool(true),
            "False" => Value::Bool(false),
            "None" => Value::Null,
            _ => Value::String(String::from_utf8_lossy(&self.s[start..self.at]).into_owned()),
        })
    }

    /// `a, k=v)` after `Name(`.
    fn call_args(&mut self) -> Option<Value> {
        let mut map = Map::new();
        let mut positional = 0;
        loop {
            if self.eat(b')') {
                return Some(Value::Object(map));
            }
            self.ws();
            let save = self.at;
            let key = self.ident().filter(|_| {
                self.ws();
                self.peek() == Some(b'=') && self.s.get(self.at + 1) != Some(&b'=')
            });
            match key {
                Some(key) => {
                    self.at += 1;
                    let value = self.value()?;
                    map.insert(key, value);
                }
                None => {
                    self.at = save;
                    let value = self.value()?;
                    map.insert(positional.to_string(), value);
                    positional += 1;
                }
            }
            if !self.eat(b',') {
                return self.eat(b')').then_some(Value::Object(map));
            }
        }
    }

    fn sequence(&mut self, close: u8) -> Option<Vec<Value>> {
        self.at += 1;
        let mut items = Vec::new();
        loop {
            if self.eat(close) {
                return Some(items);
            }
            items.push(self.value()?);
            if !self.eat(b',') {
                return self.eat(close).then_some(items);
            }
        }
    }

    /// A dict (`{k: v}`, keys shown as text) or a set (`{a, b}` → array).
    fn braces(&mut self) -> Option<Value> {
        self.at += 1;
        let mut map = Map::new();
        let mut set = Vec::new();
        loop {
            if self.eat(b'}') {
                return Some(if set.is_empty() {
                    Value::Object(map)
                } else {
                    Value::Array(set)
                });
            }
            let key = self.value()?;
            if self.eat(b':') {
                let value = self.value()?;
                let key = match key {
                    Value::String(s) => s,
                    other => other.to_string(),
                };
                map.insert(key, value);
            } else {
                set.push(key);
            }
            if !self.eat(b',') {
                let done = self.eat(b'}');
                let value = if set.is_empty() {
                    Value::Object(map)
                } else {
                    Value::Array(set)
                };
                return done.then_some(value);
            }
        }
    }

    /// `<dspy.clients.lm.LM object at 0x7f…>`, nested `<…>` included.
    fn placeholder(&mut self) -> Option<String> {
        let start = self.at;
        let mut depth = 0;
        while let Some(c) = self.peek() {
            self.at += 1;
            match c {
                b'<' => depth += 1,
                b'>' => {
                    depth -= 1;
                    if depth == 0 {
                        return Some(String::from_utf8_lossy(&self.s[start..self.at]).into_owned());
                    }
                }
                _ => {}
            }
        }
        None
    }

    fn number(&mut self) -> Option<Value> {
        let start = self.at;
        if self.peek() == Some(b'-') {
            self.at += 1;
        }
        while self.peek().is_some_and(|c| {
            c.is_ascii_digit() || matches!(c, b'.' | b'e' | b'E' | b'+' | b'-' | b'_')
        }) {
            self.at += 1;
        }
        let text: String = String::from_utf8_lossy(&self.s[start..self.at]).replace('_', "");
        if let Ok(i) = text.parse::<i64>() {
            return Some(Value::Number(i.into()));
        }
        let f = text.parse::<f64>().ok()?;
        Some(Number::from_f64(f).map_or(Value::String(text), Value::Number))
    }

    /// A quoted string with Python's escapes.
    fn string(&mut self) -> Option<String> {
        let quote = self.peek()?;
        self.at += 1;
        let mut out: Vec<u8> = Vec::new();
        loop {
            let c = self.peek()?;
            self.at += 1;
            match c {
                b'\\' => {
                    let e = self.peek()?;
                    self.at += 1;
                    match e {
                        b'n' => out.push(b'\n'),
                        b't' => out.push(b'\t'),
                        b'r' => out.push(b'\r'),
                        b'0' => out.push(0),
                        b'x' => self.code_point(2, &mut out)?,
                        b'u' => self.code_point(4, &mut out)?,
                        b'U' => self.code_point(8, &mut out)?,
                        b'\n' => {}
                        other => out.push(other),
                    }
                }
                c if c == quote => return Some(String::from_utf8_lossy(&out).into_owned()),
                c => out.push(c),
            }
        }
    }

    fn code_point(&mut self, digits: usize, out: &mut Vec<u8>) -> Option<()> {
        let hex = self.s.get(self.at..self.at + digits)?;
        self.at += digits;
        let n = u32::from_str_radix(std::str::from_utf8(hex).ok()?, 16).ok()?;
        let c = char::from_u32(n).unwrap_or('\u{fffd}');
        let mut buf = [0u8; 4];
        out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
        Some(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_dspy_prediction_becomes_its_fields() {
        let text = "Prediction(\n    reasoning='It\\'s \"short\".\\nNext line',\n    search_query='retrieved into the then'\n)";
        let repr = parse(text).unwrap();
        assert_eq!(repr.class.as_deref(), Some("Prediction"));
        assert_eq!(
            repr.value,
            json!({"reasoning": "It's \"short\".\nNext line", "search_query": "retrieved into the then"})
        );
    }

    #[test]
    fn nested_calls_dicts_and_constants() {
        let text = "Response(text='[[ ## a ## ]]', finish_reason='stop', usage=Usage(input_tokens=275, \
            cache=None, ok=True), scores=[0.5, -1e-3], kw={'args': (1, 'x'), 2: {3, 4}}, lm=<dspy.LM object at 0x7f>)";
        let repr = parse(text).unwrap();
        assert_eq!(
            repr.value,
            json!({"text": "[[ ## a ## ]]", "finish_reason": "stop",
                "usage": {"input_tokens": 275, "cache": null, "ok": true},
                "scores": [0.5, -0.001], "kw": {"args": [1, "x"], "2": [3, 4]},
                "lm": "<dspy.LM object at 0x7f>"})
        );
    }

    #[test]
    fn not_a_repr() {
        assert_eq!(parse("plain words"), None);
        assert_eq!(parse("Prediction(reasoning='unterminated"), None);
        assert_eq!(parse("'just a string'"), None);
        assert_eq!(parse("f(x) and more"), None);
        assert_eq!(parse(&"[".repeat(100_000)), None);
        assert_eq!(parse("x = 1"), None);
        assert_eq!(
            parse("f('\\xe9')").map(|r| r.value),
            Some(json!({"0": "é"}))
        );
    }
}
