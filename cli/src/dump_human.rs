//! `mdump dump`: everything in a dump, for people: the dump model laid out as
//! indented text, lists numbered, long lists of short values on one line.

use mdump_reader::Minidump;
use serde_json::Value;
use std::io::{self, Write};

/// Prints `dump` for people.
pub fn print(dump: &Minidump, out: &mut dyn Write) -> io::Result<()> {
    let model = crate::model::build(dump);
    if let Value::Object(root) = &model {
        for (section, value) in root {
            if section == "streams" {
                if let Value::Object(streams) = value {
                    for (name, v) in streams {
                        writeln!(out, "{}", title(name))?;
                        match v {
                            // /proc text: shown as it was, line by line.
                            Value::String(text) => {
                                for line in text.lines() {
                                    writeln!(out, "  {}", printable(line))?;
                                }
                            }
                            _ => render(out, v, 1)?,
                        }
                        writeln!(out)?;
                    }
                }
            } else {
                writeln!(out, "{}", title(section))?;
                render(out, value, 1)?;
                writeln!(out)?;
            }
        }
    }
    Ok(())
}

fn title(key: &str) -> String {
    let mut s = String::with_capacity(key.len());
    for (i, word) in key.split('_').enumerate() {
        if i > 0 {
            s.push(' ');
        }
        let mut c = word.chars();
        if let Some(f) = c.next() {
            s.extend(f.to_uppercase());
            s.push_str(c.as_str());
        }
    }
    s
}

fn scalar(v: &Value) -> Option<String> {
    match v {
        Value::Null => Some("-".into()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Number(n) => Some(n.to_string()),
        Value::String(s) => Some(printable(s)),
        Value::Array(a) if a.iter().all(|x| matches!(x, Value::String(_) | Value::Number(_))) && a.len() <= 16 => {
            Some(a.iter().filter_map(scalar).collect::<Vec<_>>().join(" "))
        }
        _ => None,
    }
}

fn render(out: &mut dyn Write, v: &Value, depth: usize) -> io::Result<()> {
    let pad = "  ".repeat(depth);
    match v {
        Value::Object(map) if is_grid(map) => {
            let cells: Vec<String> =
                map.iter().map(|(k, x)| format!("{k:>6} {:<18}", scalar(x).unwrap_or_default())).collect();
            for row in cells.chunks(4) {
                writeln!(out, "{pad}{}", row.concat().trim_end())?;
            }
        }
        Value::Object(map) => {
            let width = map.keys().map(|k| k.len()).max().unwrap_or(0);
            for (k, x) in map {
                match scalar(x) {
                    Some(s) => writeln!(out, "{pad}{k:width$}  {s}")?,
                    None => {
                        writeln!(out, "{pad}{k}:")?;
                        render(out, x, depth + 1)?;
                    }
                }
            }
        }
        Value::Array(items) if is_table(items) => table(out, items, &pad)?,
        Value::Array(items) => {
            if items.is_empty() {
                writeln!(out, "{pad}(none)")?;
            }
            for (i, x) in items.iter().enumerate() {
                match scalar(x) {
                    Some(s) => writeln!(out, "{pad}[{i}] {s}")?,
                    None => {
                        writeln!(out, "{pad}[{i}]")?;
                        render(out, x, depth + 1)?;
                    }
                }
            }
        }
        other => writeln!(out, "{pad}{}", scalar(other).unwrap_or_default())?,
    }
    Ok(())
}

/// A list of objects with the same keys and only scalar values.
fn is_table(items: &[Value]) -> bool {
    let Some(Value::Object(first)) = items.first() else {
        return false;
    };
    items.len() > 1
        && items.iter().all(|x| match x {
            Value::Object(m) => {
                m.len() == first.len() && m.iter().all(|(k, v)| first.contains_key(k) && scalar(v).is_some())
            }
            _ => false,
        })
}

fn table(out: &mut dyn Write, items: &[Value], pad: &str) -> io::Result<()> {
    let Some(Value::Object(first)) = items.first() else {
        return Ok(());
    };
    let keys: Vec<&String> = first.keys().collect();
    let rows: Vec<Vec<String>> = items
        .iter()
        .map(|x| keys.iter().map(|k| x.get(k.as_str()).and_then(scalar).unwrap_or_default()).collect())
        .collect();
    let widths: Vec<usize> =
        keys.iter().enumerate().map(|(i, k)| rows.iter().map(|r| r[i].len()).max().unwrap_or(0).max(k.len())).collect();
    let line = |cells: Vec<&str>| -> String {
        let mut s = String::from(pad);
        for (i, c) in cells.iter().enumerate() {
            if i + 1 == cells.len() {
                s.push_str(c);
            } else {
                s.push_str(&format!("{c:w$}  ", w = widths[i]));
            }
        }
        s.trim_end().to_string()
    };
    writeln!(out, "{}", line(keys.iter().map(|k| k.as_str()).collect()))?;
    for r in &rows {
        writeln!(out, "{}", line(r.iter().map(|c| c.as_str()).collect()))?;
    }
    Ok(())
}

/// Many short scalar fields (registers): laid out four to a line.
fn is_grid(map: &serde_json::Map<String, Value>) -> bool {
    map.len() > 8 && map.iter().all(|(k, v)| k.len() <= 6 && matches!(v, Value::String(s) if s.len() <= 18))
}

/// `s` with control characters escaped, so a hostile string cannot move the
/// terminal's cursor or hide text.
fn printable(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if c.is_control() && c != '\t' {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    out
}
