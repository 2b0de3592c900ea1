//! Splits filter text into tokens, each with the byte range it came from so
//! errors can point at it.
//!
//! The lexer is context-sensitive in one place: after `field:` (or `field>`…)
//! the value runs to the next space or unmatched `)`, so values may hold `:`,
//! `=`, `/` and balanced parentheses (`name:Predict(StringSignature).forward`).
//! Depends on nothing outside this module but [`FilterError`].

use super::FilterError;
use std::ops::Range;

/// How a field is compared with its value.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Op {
    /// `:` and `=`: equality (case-insensitive text, or the number itself).
    Eq,
    Gt,
    Ge,
    Lt,
    Le,
}

impl Op {
    pub fn as_str(self) -> &'static str {
        match self {
            Op::Eq => ":",
            Op::Gt => ">",
            Op::Ge => ">=",
            Op::Lt => "<",
            Op::Le => "<=",
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub enum Tok<'a> {
    LParen,
    RParen,
    /// `-` directly in front of a term.
    Minus,
    And,
    Or,
    Not,
    /// A bare word; may hold `*`.
    Word(&'a str),
    /// A quoted phrase, unescaped (`\"` and `\\`).
    Quoted(String),
    /// `name:`, `name>=`…; `name_at` and `op_at` are the byte ranges of each part.
    Field {
        name: &'a str,
        name_at: Range<usize>,
        op: Op,
        op_at: Range<usize>,
    },
}

#[derive(Clone, Debug, PartialEq)]
pub struct Token<'a> {
    pub tok: Tok<'a>,
    pub at: Range<usize>,
}

/// Characters that end a bare word (a field name or free-text word).
fn ends_word(c: char) -> bool {
    c.is_whitespace() || matches!(c, '(' | ')' | '"' | ':' | '<' | '>' | '=')
}

pub fn lex(input: &str) -> Result<Vec<Token<'_>>, FilterError> {
    let mut lexer = Lexer {
        input,
        pos: 0,
        out: Vec::new(),
    };
    lexer.run()?;
    Ok(lexer.out)
}

struct Lexer<'a> {
    input: &'a str,
    pos: usize,
    out: Vec<Token<'a>>,
}

impl<'a> Lexer<'a> {
    fn peek(&self) -> Option<char> {
        self.input.get(self.pos..).and_then(|s| s.chars().next())
    }

    fn push(&mut self, tok: Tok<'a>, start: usize) {
        self.out.push(Token {
            tok,
            at: start..self.pos,
        });
    }

    fn run(&mut self) -> Result<(), FilterError> {
        while let Some(c) = self.peek() {
            let start = self.pos;
            match c {
                c if c.is_whitespace() => self.pos += c.len_utf8(),
                '(' => {
                    self.pos += 1;
                    self.push(Tok::LParen, start);
                }
                ')' => {
                    self.pos += 1;
                    self.push(Tok::RParen, start);
                }
                '"' => {
                    let text = self.quoted()?;
                    self.push(Tok::Quoted(text), start);
                }
                '-' => {
                    self.pos += 1;
                    match self.peek() {
                        Some(next) if !next.is_whitespace() && next != ')' => {
                            self.push(Tok::Minus, start)
                        }
                        _ => {
                            return Err(FilterError::new(
                                "`-` must come right before a term, as in -status:error",
                                start..self.pos,
                            ))
                        }
                    }
                }
                ':' | '<' | '>' | '=' => {
                    let op_len = self.input[start..]
                        .chars()
                        .take_while(|c| matches!(c, ':' | '<' | '>' | '='))
                        .count();
                    return Err(FilterError::new(
                        format!(
                            "`{}` needs a field name before it, as in status:error or dur>2s; \
                             to search for the text, put it in quotes",
                            &self.input[start..start + op_len]
                        ),
                        start..start + op_len,
                    ));
                }
                _ => self.word(start)?,
            }
        }
        Ok(())
    }

    /// A bare word, a keyword, or a field followed by its operator and value.
    fn word(&mut self, start: usize) -> Result<(), FilterError> {
        let end = self.scan_value(start, ends_word);
        self.pos = end;
        let word = &self.input[start..end];
        let Some(op) = self.operator() else {
            let tok = match word.to_ascii_lowercase().as_str() {
                "and" => Tok::And,
                "or" => Tok::Or,
                "not" => Tok::Not,
                _ => Tok::Word(word),
            };
            self.push(tok, start);
            return Ok(());
        };
        let (op, op_at) = op;
        self.push(
            Tok::Field {
                name: word,
                name_at: start..end,
                op,
                op_at,
            },
            start,
        );
        // The value: a group, a quoted phrase, or everything up to a space.
        let value_start = self.pos;
        match self.peek() {
            None => Ok(()),
            Some(c) if c.is_whitespace() || c == '(' || c == ')' => Ok(()),
            Some('"') => {
                let text = self.quoted()?;
                self.push(Tok::Quoted(text), value_start);
                Ok(())
            }
            Some(_) => {
                self.pos = self.scan_value(value_start, char::is_whitespace);
                let value = &self.input[value_start..self.pos];
                self.push(Tok::Word(value), value_start);
                Ok(())
            }
        }
    }

    /// `:`, `=`, `>`, `>=`, `<`, `<=`, also written `:>` and so on.
    fn operator(&mut self) -> Option<(Op, Range<usize>)> {
        let start = self.pos;
        let rest = &self.input[start..];
        let (op, len) = if let Some(after) = rest.strip_prefix(':') {
            match compare_op(after) {
                Some((op, len)) => (op, 1 + len),
                None => (Op::Eq, 1),
            }
        } else {
            compare_op(rest)?
        };
        self.pos = start + len;
        Some((op, start..self.pos))
    }

    /// End of a word that stops at `stop`, or at a `)` that closes nothing
    /// opened inside the word (so `(kind:llm)` ends the value at `llm`).
    fn scan_value(&self, start: usize, stop: fn(char) -> bool) -> usize {
        let mut depth = 0usize;
        for (i, c) in self.input[start..].char_indices() {
            match c {
                '(' if i > 0 => depth += 1,
                ')' if depth > 0 => depth -= 1,
                ')' => return start + i,
                c if c.is_whitespace() || (depth == 0 && stop(c)) => return start + i,
                _ => {}
            }
        }
        self.input.len()
    }

    /// A quoted phrase starting at the current `"`; `\"` and `\\` are escapes.
    fn quoted(&mut self) -> Result<String, FilterError> {
        let start = self.pos;
        let mut text = String::new();
        let mut chars = self.input[start + 1..].char_indices();
        while let Some((i, c)) = chars.next() {
            match c {
                '"' => {
                    self.pos = start + 1 + i + 1;
                    return Ok(text);
                }
                '\\' => match chars.next() {
                    Some((_, e @ ('"' | '\\'))) => text.push(e),
                    Some((_, other)) => {
                        text.push('\\');
                        text.push(other);
                    }
                    None => text.push('\\'),
                },
                c => text.push(c),
            }
        }
        Err(FilterError::new(
            "this quote is never closed: add a `\"` after the phrase",
            start..start + 1,
        ))
    }
}

fn compare_op(s: &str) -> Option<(Op, usize)> {
    if s.starts_with(">=") {
        Some((Op::Ge, 2))
    } else if s.starts_with("<=") {
        Some((Op::Le, 2))
    } else if s.starts_with('>') {
        Some((Op::Gt, 1))
    } else if s.starts_with('<') {
        Some((Op::Lt, 1))
    } else if s.starts_with('=') {
        Some((Op::Eq, 1))
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(input: &str) -> Vec<String> {
        lex(input)
            .map(|toks| {
                toks.iter()
                    .map(|t| match &t.tok {
                        Tok::Word(w) => format!("w:{w}"),
                        Tok::Quoted(q) => format!("q:{q}"),
                        Tok::Field { name, op, .. } => format!("f:{name}{}", op.as_str()),
                        other => format!("{other:?}"),
                    })
                    .collect()
            })
            .unwrap_or_else(|e| vec![format!("error {:?}: {}", e.at, e.message)])
    }

    #[test]
    fn fields_values_and_keywords() {
        assert_eq!(
            kinds("status:error AND dur>=2s -kind:llm"),
            [
                "f:status:",
                "w:error",
                "And",
                "f:dur>=",
                "w:2s",
                "Minus",
                "f:kind:",
                "w:llm"
            ]
        );
        assert_eq!(kinds("dur:>2s"), ["f:dur>", "w:2s"]);
        assert_eq!(
            kinds(r#"model:"gpt-4o mini" "a \"b\"""#),
            ["f:model:", "q:gpt-4o mini", r#"q:a "b""#]
        );
    }

    #[test]
    fn values_keep_colons_and_balanced_parentheses() {
        assert_eq!(
            kinds("(name:Predict(StringSignature).forward)"),
            [
                "LParen",
                "f:name:",
                "w:Predict(StringSignature).forward",
                "RParen"
            ]
        );
        assert_eq!(
            kinds("attr.url:http://x/y"),
            ["f:attr.url:", "w:http://x/y"]
        );
        assert_eq!(
            kinds("trace:(status:error)"),
            ["f:trace:", "LParen", "f:status:", "w:error", "RParen"]
        );
    }

    #[test]
    fn errors_point_at_the_problem() {
        assert_eq!(
            kinds(r#"name:"abc"#),
            ["error 5..6: this quote is never closed: add a `\"` after the phrase"]
        );
        assert!(kinds("a - b")[0].starts_with("error 2..3"));
        assert!(kinds(":x")[0].starts_with("error 0..1"));
    }
}
