//! Containers, detected by magic bytes (never by extension): gzip and zip.
//! Unwrapping yields the member files; nested containers are unwrapped too.
//!
//! What one input may expand to is bounded by [`MAX_DECOMPRESSED_BYTES`]
//! (all its members together). Output buffers are sized from what the
//! container says (gzip's size trailer, zip's directory) and grown by half
//! at a time, never doubled past the limit: a doubling from 1 GiB to 2 GiB
//! is what used to fail in a 4 GiB wasm memory.

use std::io::{Cursor, Read};

/// Largest decompressed size accepted for one input (all members of an
/// archive together): a wasm32 page holds at most 4 GiB, and the parsed
/// index needs room beside the bytes. The README names this number.
pub const MAX_DECOMPRESSED_BYTES: u64 = 1536 * 1024 * 1024;
/// How deep containers may nest (a zip of gzips is fine; deeper is suspicious).
const MAX_NESTING: usize = 3;

/// One file after unwrapping, with what happened on the way.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    /// `archive.zip/inner.json`, `trace.json.gz`, or the plain file name.
    pub name: String,
    pub bytes: Vec<u8>,
    /// Set when decompression stopped early; the bytes are what came out.
    pub damage: Option<Damage>,
}

/// Why decompression stopped before the end.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Damage {
    /// The data would not fit (the limit, or memory), as opposed to being
    /// cut or corrupt.
    pub too_large: bool,
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ContainerKind {
    Gzip,
    Zip,
}

pub fn container_kind(bytes: &[u8]) -> Option<ContainerKind> {
    if bytes.starts_with(&[0x1f, 0x8b]) {
        Some(ContainerKind::Gzip)
    } else if bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(b"PK\x05\x06") {
        Some(ContainerKind::Zip)
    } else {
        None
    }
}

/// Unwraps gzip/zip (recursively); other content comes back as one member.
pub fn unwrap(name: &str, bytes: Vec<u8>) -> Vec<Member> {
    unwrap_with_limit(name, bytes, MAX_DECOMPRESSED_BYTES)
}

/// [`unwrap`] with another limit on what the input may expand to (tests).
pub fn unwrap_with_limit(name: &str, bytes: Vec<u8>, limit: u64) -> Vec<Member> {
    let mut out = Vec::new();
    let mut budget = Budget { left: limit, limit };
    unwrap_into(name, bytes, 0, &mut budget, &mut out);
    out
}

/// What is left of the limit for the rest of one input.
struct Budget {
    left: u64,
    limit: u64,
}

fn unwrap_into(
    name: &str,
    bytes: Vec<u8>,
    depth: usize,
    budget: &mut Budget,
    out: &mut Vec<Member>,
) {
    let kind = if depth < MAX_NESTING {
        container_kind(&bytes)
    } else {
        None
    };
    match kind {
        None => out.push(Member {
            name: name.to_string(),
            bytes,
            damage: None,
        }),
        Some(ContainerKind::Gzip) => {
            let hint = gzip_size_hint(&bytes);
            let decoder = flate2::read::MultiGzDecoder::new(&bytes[..]);
            let (inner, damage) = read_capped(decoder, hint, budget, "gzip data");
            drop(bytes);
            nest(name, inner, damage, depth, budget, out);
        }
        Some(ContainerKind::Zip) => unzip(name, &bytes, depth, budget, out),
    }
}

/// Unwraps what came out of a container, keeping its damage on the first
/// member it yields.
fn nest(
    name: &str,
    inner: Vec<u8>,
    damage: Option<Damage>,
    depth: usize,
    budget: &mut Budget,
    out: &mut Vec<Member>,
) {
    let before = out.len();
    // An inner container's output replaces these bytes (dropped once it is
    // read), so they are given back to the budget it draws on.
    if depth + 1 < MAX_NESTING && container_kind(&inner).is_some() {
        budget.left = budget.left.saturating_add(inner.len() as u64);
    }
    unwrap_into(name, inner, depth + 1, budget, out);
    if let Some(damage) = damage {
        match out.get_mut(before) {
            Some(member) => member.damage = Some(damage),
            None => out.push(Member {
                name: name.to_string(),
                bytes: Vec::new(),
                damage: Some(damage),
            }),
        }
    }
}

/// The uncompressed size a single-member gzip stream announces in its
/// trailer (modulo 4 GiB): a capacity hint, never trusted further.
fn gzip_size_hint(bytes: &[u8]) -> Option<u64> {
    let tail: [u8; 4] = bytes.get(bytes.len().checked_sub(4)?..)?.try_into().ok()?;
    Some(u64::from(u32::from_le_bytes(tail)))
}

const CHUNK: usize = 256 * 1024;

/// Reads everything `reader` yields, up to what is left of the budget.
/// Grows the buffer from `hint` by half at a time (never doubling past the
/// limit); an allocation the memory cannot satisfy stops the read like the
/// limit does, keeping what was read.
fn read_capped(
    mut reader: impl Read,
    hint: Option<u64>,
    budget: &mut Budget,
    what: &str,
) -> (Vec<u8>, Option<Damage>) {
    let cap = budget.left;
    let mut out: Vec<u8> = Vec::new();
    let first = hint
        .unwrap_or(CHUNK as u64)
        .max(CHUNK as u64)
        .min(cap.saturating_add(1));
    if out.try_reserve_exact(first as usize).is_err() {
        return (out, Some(out_of_memory(what, 0)));
    }
    let damage = loop {
        if out.len() as u64 > cap {
            out.truncate(cap as usize);
            break Some(Damage {
                too_large: true,
                message: format!(
                    "{what} expands past {}, spanscope's limit for one file \
                     (MAX_DECOMPRESSED_BYTES); only the first {} were read",
                    size(budget.limit),
                    size(cap)
                ),
            });
        }
        if out.capacity() - out.len() < CHUNK {
            let want = (out.capacity() / 2)
                .max(CHUNK)
                .min((cap as usize + 1).saturating_sub(out.len()).max(CHUNK));
            if out.try_reserve_exact(want).is_err() {
                break Some(out_of_memory(what, out.len()));
            }
        }
        let len = out.len();
        let room = (out.capacity() - len)
            .min(CHUNK)
            .min(cap as usize + 1 - len.min(cap as usize));
        out.resize(len + room, 0);
        match reader.read(&mut out[len..]) {
            Ok(0) => {
                out.truncate(len);
                break None;
            }
            Ok(n) => out.truncate(len + n),
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => out.truncate(len),
            Err(e) => {
                out.truncate(len);
                break Some(Damage {
                    too_large: false,
                    message: format!("{what} is damaged after {len} decompressed bytes: {e}"),
                });
            }
        }
    };
    budget.left = budget.left.saturating_sub(out.len() as u64);
    out.shrink_to_fit();
    (out, damage)
}

/// `1536 MiB`, `1.5 MiB`, `86001 bytes`.
fn size(bytes: u64) -> String {
    const MIB: u64 = 1 << 20;
    match bytes {
        b if b >= MIB && b % MIB == 0 => format!("{} MiB", b / MIB),
        b if b >= MIB => format!("{:.1} MiB", b as f64 / MIB as f64),
        b => format!("{b} bytes"),
    }
}

fn out_of_memory(what: &str, read: usize) -> Damage {
    Damage {
        too_large: true,
        message: format!(
            "{what} does not fit in memory: the browser refused more room after {} \
             were decompressed; only those were read",
            size(read as u64)
        ),
    }
}

fn unzip(name: &str, bytes: &[u8], depth: usize, budget: &mut Budget, out: &mut Vec<Member>) {
    let mut archive = match zip::ZipArchive::new(Cursor::new(bytes)) {
        Ok(a) => a,
        Err(e) => {
            out.push(Member {
                name: name.to_string(),
                bytes: Vec::new(),
                damage: Some(Damage {
                    too_large: false,
                    message: format!("zip archive cannot be read: {e}"),
                }),
            });
            return;
        }
    };
    for i in 0..archive.len() {
        let mut file = match archive.by_index(i) {
            Ok(f) => f,
            Err(e) => {
                out.push(Member {
                    name: format!("{name}/#{i}"),
                    bytes: Vec::new(),
                    damage: Some(Damage {
                        too_large: false,
                        message: format!("zip member {i} cannot be read: {e}"),
                    }),
                });
                continue;
            }
        };
        if file.is_dir() {
            continue;
        }
        let inner_name = file
            .name()
            .map(|n| n.to_string())
            .unwrap_or_else(|_| format!("#{i}"));
        let member_name = format!("{name}/{inner_name}");
        if budget.left == 0 {
            out.push(Member {
                name: member_name,
                bytes: Vec::new(),
                damage: Some(Damage {
                    too_large: true,
                    message: format!(
                        "not read: the archive's members before it already reach {}, \
                         spanscope's limit for one file (MAX_DECOMPRESSED_BYTES)",
                        size(budget.limit)
                    ),
                }),
            });
            continue;
        }
        let hint = Some(file.size());
        let (inner, damage) = read_capped(&mut file, hint, budget, "zip member");
        nest(&member_name, inner, damage, depth, budget, out);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn gzip(data: &[u8]) -> Vec<u8> {
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        enc.write_all(data).ok();
        enc.finish().unwrap_or_default()
    }

    #[test]
    fn gzip_is_detected_by_magic_not_name() {
        let members = unwrap("trace.json", gzip(b"{\"a\":1}"));
        assert_eq!(members.len(), 1);
        assert_eq!(members[0].bytes, b"{\"a\":1}");
        assert_eq!(members[0].damage, None);
    }

    #[test]
    fn truncated_gzip_keeps_the_decoded_prefix() {
        let data: Vec<u8> = (0..200_000u32).flat_map(|i| i.to_le_bytes()).collect();
        let packed = gzip(&data);
        let members = unwrap("t.gz", packed[..packed.len() / 2].to_vec());
        assert!(members[0].damage.as_ref().is_some_and(|d| !d.too_large));
        assert!(!members[0].bytes.is_empty());
        assert!(data.starts_with(&members[0].bytes));
    }

    #[test]
    fn zip_members_are_all_read() {
        let mut buf = Cursor::new(Vec::new());
        {
            let mut w = zip::ZipWriter::new(&mut buf);
            let opts = zip::write::SimpleFileOptions::default();
            w.start_file("a.json", opts).ok();
            w.write_all(b"[1]").ok();
            w.start_file("b.json.gz", opts).ok();
            w.write_all(&gzip(b"[2]")).ok();
            w.finish().ok();
        }
        let members = unwrap("x.zip", buf.into_inner());
        let names: Vec<_> = members.iter().map(|m| m.name.as_str()).collect();
        assert_eq!(names, ["x.zip/a.json", "x.zip/b.json.gz"]);
        assert_eq!(members[1].bytes, b"[2]");
    }
}

#[cfg(test)]
mod limit_tests {
    use super::*;
    use std::io::Write;

    fn gzip(data: &[u8]) -> Vec<u8> {
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        enc.write_all(data).ok();
        enc.finish().unwrap_or_default()
    }

    #[test]
    fn the_limit_is_named_and_the_prefix_kept() {
        let data = vec![b'x'; 3 << 20];
        let members = unwrap_with_limit("big.json.gz", gzip(&data), 1 << 20);
        let damage = members[0]
            .damage
            .clone()
            .unwrap_or_else(|| panic!("no damage"));
        assert!(damage.too_large);
        assert!(damage.message.contains("1 MiB"), "{}", damage.message);
        assert!(damage.message.contains("MAX_DECOMPRESSED_BYTES"));
        assert_eq!(members[0].bytes.len(), 1 << 20);
    }

    #[test]
    fn exactly_the_limit_is_not_damage() {
        let data = vec![b'y'; 1 << 20];
        let members = unwrap_with_limit("ok.gz", gzip(&data), 1 << 20);
        assert_eq!(members[0].damage, None);
        assert_eq!(members[0].bytes, data);
    }

    #[test]
    fn zip_members_share_one_budget() {
        let mut buf = Cursor::new(Vec::new());
        {
            let mut w = zip::ZipWriter::new(&mut buf);
            let opts = zip::write::SimpleFileOptions::default();
            for name in ["a", "b", "c"] {
                w.start_file(name, opts).ok();
                w.write_all(&vec![b'z'; 600 * 1024]).ok();
            }
            w.finish().ok();
        }
        let members = unwrap_with_limit("x.zip", buf.into_inner(), 1 << 20);
        assert_eq!(members.len(), 3);
        assert_eq!(members[0].damage, None);
        assert!(members[1].damage.as_ref().is_some_and(|d| d.too_large));
        assert!(members[2]
            .damage
            .as_ref()
            .is_some_and(|d| d.message.starts_with("not read")));
    }
}
