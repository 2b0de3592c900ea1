//! Tokens → expression tree, by recursive descent with precedence
//! NOT > AND (also juxtaposition) > OR.
//!
//! ```text
//! or      := and (OR and)*
//! and     := unary ((AND)? unary)*
//! unary   := (NOT | '-') unary | primary
//! primary := '(' or ')' | field op value | 'trace:' '(' or ')' | word | "phrase"
//! ```
//!
//! What a field means and how its value is read lives in `fields.rs`; this
//! file owns only the grammar and its error messages.

use super::fields::{self, Term};
use super::lexer::{Tok, Token};
use super::FilterError;
use std::ops::Range;

/// Nesting deeper than this is refused rather than risking the stack.
const MAX_DEPTH: usize = 64;

/// A parsed filter expression.
#[derive(Clone, Debug, PartialEq)]
pub enum Expr {
    /// The empty filter: every span.
    All,
    And(Vec<Expr>),
    Or(Vec<Expr>),
    Not(Box<Expr>),
    /// `trace:(…)`: every span of a trace with at least one span matching.
    InTrace(Box<Expr>),
    Term(Term),
}

pub fn parse(input: &str, tokens: &[Token<'_>]) -> Result<Expr, FilterError> {
    if tokens.is_empty() {
        return Ok(Expr::All);
    }
    let mut p = Parser {
        input,
        tokens,
        pos: 0,
        depth: 0,
    };
    let expr = p.or()?;
    match p.tokens.get(p.pos) {
        None => Ok(expr),
        Some(t) if t.tok == Tok::RParen => Err(FilterError::new(
            "this `)` has no matching `(`",
            t.at.clone(),
        )),
        Some(t) => Err(FilterError::new("unexpected text here", t.at.clone())),
    }
}

struct Parser<'t, 'a> {
    input: &'a str,
    tokens: &'t [Token<'a>],
    pos: usize,
    depth: usize,
}

impl<'t, 'a> Parser<'t, 'a> {
    fn peek(&self) -> Option<&'t Token<'a>> {
        self.tokens.get(self.pos)
    }

    fn end(&self) -> Range<usize> {
        self.input.len()..self.input.len()
    }

    fn deeper(&mut self, at: &Range<usize>) -> Result<(), FilterError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(FilterError::new(
                format!("the filter nests more than {MAX_DEPTH} levels deep; simplify it"),
                at.clone(),
            ));
        }
        Ok(())
    }

    fn or(&mut self) -> Result<Expr, FilterError> {
        let mut items = vec![self.and()?];
        while let Some(t) = self.peek().filter(|t| t.tok == Tok::Or) {
            let at = t.at.clone();
            self.pos += 1;
            self.need_term_after("OR", &at)?;
            items.push(self.and()?);
        }
        Ok(flatten(items, Expr::Or))
    }

    fn and(&mut self) -> Result<Expr, FilterError> {
        let mut items = vec![self.unary()?];
        loop {
            match self.peek().map(|t| (&t.tok, t.at.clone())) {
                Some((Tok::And, at)) => {
                    self.pos += 1;
                    self.need_term_after("AND", &at)?;
                }
                Some((Tok::Or | Tok::RParen, _)) | None => break,
                Some(_) => {}
            }
            items.push(self.unary()?);
        }
        Ok(flatten(items, Expr::And))
    }

    fn need_term_after(&self, keyword: &str, at: &Range<usize>) -> Result<(), FilterError> {
        match self.peek().map(|t| &t.tok) {
            None | Some(Tok::RParen | Tok::And | Tok::Or) => Err(FilterError::new(
                format!("`{keyword}` needs a term after it, as in kind:llm {keyword} status:error"),
                at.clone(),
            )),
            Some(_) => Ok(()),
        }
    }

    fn unary(&mut self) -> Result<Expr, FilterError> {
        let Some(t) = self.peek() else {
            return Err(FilterError::new("a term is missing here", self.end()));
        };
        match t.tok {
            Tok::Not | Tok::Minus => {
                let (at, word) = (t.at.clone(), if t.tok == Tok::Not { "NOT" } else { "-" });
                self.pos += 1;
                if matches!(
                    self.peek().map(|t| &t.tok),
                    None | Some(Tok::RParen | Tok::And | Tok::Or)
                ) {
                    return Err(FilterError::new(
                        format!("`{word}` needs a term after it, as in {word} status:error"),
                        at,
                    ));
                }
                self.deeper(&at)?;
                let inner = self.unary()?;
                self.depth -= 1;
                Ok(Expr::Not(Box::new(inner)))
            }
            _ => self.primary(),
        }
    }

    fn primary(&mut self) -> Result<Expr, FilterError> {
        let Some(t) = self.peek() else {
            return Err(FilterError::new("a term is missing here", self.end()));
        };
        let at = t.at.clone();
        match &t.tok {
            Tok::LParen => {
                self.pos += 1;
                self.group(at)
            }
            Tok::RParen => Err(FilterError::new("this `)` has no matching `(`", at)),
            Tok::And | Tok::Or => {
                let word = if t.tok == Tok::And { "AND" } else { "OR" };
                Err(FilterError::new(
                    format!("`{word}` needs a term before it, as in kind:llm {word} status:error"),
                    at,
                ))
            }
            Tok::Not | Tok::Minus => self.unary(),
            Tok::Word(w) => {
                self.pos += 1;
                Ok(fields::free_text(w, false))
            }
            Tok::Quoted(q) => {
                let phrase = q.clone();
                self.pos += 1;
                Ok(fields::free_text(&phrase, true))
            }
            Tok::Field {
                name,
                name_at,
                op,
                op_at,
            } => {
                let (name, name_at, op, op_at) = (*name, name_at.clone(), *op, op_at.clone());
                self.pos += 1;
                self.field(name, name_at, op, op_at)
            }
        }
    }

    /// After `(`: an expression and its closing `)`.
    fn group(&mut self, open: Range<usize>) -> Result<Expr, FilterError> {
        if let Some(t) = self.peek().filter(|t| t.tok == Tok::RParen) {
            return Err(FilterError::new(
                "empty parentheses: put a term inside, or remove them",
                open.start..t.at.end,
            ));
        }
        if self.peek().is_none() {
            return Err(FilterError::new(
                "this `(` is never closed: add a `)`",
                open,
            ));
        }
        self.deeper(&open)?;
        let inner = self.or()?;
        self.depth -= 1;
        match self.peek() {
            Some(t) if t.tok == Tok::RParen => {
                self.pos += 1;
                Ok(inner)
            }
            _ => Err(FilterError::new(
                "this `(` is never closed: add a `)`",
                open,
            )),
        }
    }

    fn field(
        &mut self,
        name: &str,
        name_at: Range<usize>,
        op: super::lexer::Op,
        op_at: Range<usize>,
    ) -> Result<Expr, FilterError> {
        let field = fields::resolve(name, name_at.clone())?;
        let value = self.peek().cloned();
        match value.map(|t| (t.tok, t.at)) {
            Some((Tok::LParen, open)) => {
                if !field.takes_expression() {
                    return Err(FilterError::new(
                        format!(
                            "only trace:(…) takes an expression in parentheses; \
                             to match a value that starts with `(`, quote it: {name}:\"(…)\""
                        ),
                        open,
                    ));
                }
                fields::expect_eq(&field, name, op, op_at)?;
                self.pos += 1;
                let inner = self.group(open)?;
                Ok(Expr::InTrace(Box::new(inner)))
            }
            Some((Tok::Word(w), at)) => {
                self.pos += 1;
                fields::term(&field, name, op, op_at, w, false, at).map(Expr::Term)
            }
            Some((Tok::Quoted(q), at)) => {
                self.pos += 1;
                fields::term(&field, name, op, op_at, &q, true, at).map(Expr::Term)
            }
            _ => Err(FilterError::new(
                format!(
                    "`{name}{}` needs a value right after it (no space), as in {}",
                    op.as_str(),
                    field.example()
                ),
                name_at.start..op_at.end,
            )),
        }
    }
}

/// One item stays itself; several become an AND/OR node (nested nodes of
/// the same kind are merged, so `a b c` is one AND of three).
fn flatten(items: Vec<Expr>, make: fn(Vec<Expr>) -> Expr) -> Expr {
    if items.len() == 1 {
        return items.into_iter().next().unwrap_or(Expr::All);
    }
    let mut flat = Vec::with_capacity(items.len());
    for item in items {
        match (make(Vec::new()), item) {
            (Expr::And(_), Expr::And(inner)) | (Expr::Or(_), Expr::Or(inner)) => flat.extend(inner),
            (_, item) => flat.push(item),
        }
    }
    make(flat)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::index::filter::lexer::lex;

    /// The tree as text: `&(…)`, `|(…)`, `!…`, `T(…)` and terms as `t`.
    fn shape(input: &str) -> String {
        fn show(e: &Expr) -> String {
            let list = |items: &[Expr]| items.iter().map(show).collect::<Vec<_>>().join(",");
            match e {
                Expr::All => "all".into(),
                Expr::And(items) => format!("&({})", list(items)),
                Expr::Or(items) => format!("|({})", list(items)),
                Expr::Not(inner) => format!("!{}", show(inner)),
                Expr::InTrace(inner) => format!("T({})", show(inner)),
                Expr::Term(Term::Text(t)) => t.clone(),
                Expr::Term(_) => "t".into(),
            }
        }
        let tokens = lex(input).unwrap_or_default();
        parse(input, &tokens).map_or_else(|e| e.message, |e| show(&e))
    }

    #[test]
    fn precedence_is_not_then_and_then_or() {
        assert_eq!(shape("a OR b c"), "|(a,&(b,c))");
        assert_eq!(shape("a b OR c"), "|(&(a,b),c)");
        assert_eq!(shape("NOT a b"), "&(!a,b)");
        assert_eq!(shape("-a OR -(b or c)"), "|(!a,!|(b,c))");
        assert_eq!(shape("a AND (b OR c) d"), "&(a,|(b,c),d)");
        assert_eq!(
            shape("kind:llm trace:(status:error OR x)"),
            "&(t,T(|(t,x)))"
        );
        assert_eq!(shape("  "), "all");
        assert_eq!(shape("*"), "all");
    }

    #[test]
    fn nesting_is_bounded() {
        let deep = format!("{}a{}", "(".repeat(100), ")".repeat(100));
        assert!(shape(&deep).contains("levels deep"));
        let nots = "NOT ".repeat(100) + "a";
        assert!(shape(&nots).contains("levels deep"));
    }
}
