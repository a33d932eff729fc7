//! The MiscInfo stream (all five versions) and Breakpad's own BreakpadInfo
//! stream.

use super::{read_struct, text, view, Session};
use mdump_format::breakpad_info::{
    BreakpadInfo, BREAKPAD_INFO_VALID_DUMP_THREAD_ID, BREAKPAD_INFO_VALID_REQUESTING_THREAD_ID,
};
use mdump_format::misc_info::*;
use mdump_format::StreamType;
use std::io::{self, Write};

/// Column width of the MiscInfo lines.
const W: usize = 28;

/// How Breakpad prints a field that may be marked invalid by `flags1`.
enum Number {
    Decimal,
    Hex,
}

/// `PrintValueOrInvalid` after the `  name = ` prefix.
fn value_or_invalid(out: &mut dyn Write, name: &str, valid: bool, format: Number, value: u32) -> io::Result<()> {
    write!(out, "  {name:<W$} = ")?;
    match (valid, format) {
        (false, _) => writeln!(out, "(invalid)"),
        (true, Number::Decimal) => writeln!(out, "{}", value as i32),
        (true, Number::Hex) => writeln!(out, "0x{value:x}"),
    }
}

/// A `SYSTEMTIME` as `YYYY-MM-DD (day of week) hh:mm:ss.mmm`.
fn system_time(t: &SystemTime) -> String {
    format!(
        "{:04}-{:02}-{:02} ({}) {:02}:{:02}:{:02}.{:03}",
        t.year.get(),
        t.month.get(),
        t.day.get(),
        t.day_of_week.get(),
        t.hour.get(),
        t.minute.get(),
        t.second.get(),
        t.milliseconds.get()
    )
}

/// `MinidumpMiscInfo::Read`: the structure (zero past what the stream holds),
/// or `None` when Breakpad refuses the stream: a size that is no version's
/// size (larger than version 5 is accepted and cut), or a `size_of_info`
/// that disagrees with the stream size.
fn read_misc_info(s: &Session) -> Option<MiscInfo5> {
    let size = s.seek_to_stream(StreamType::MISC_INFO)? as usize;
    let sizes = [
        MINIDUMP_MISC_INFO_SIZE,
        MINIDUMP_MISC_INFO_2_SIZE,
        MINIDUMP_MISC_INFO_3_SIZE,
        MINIDUMP_MISC_INFO_4_SIZE,
        MINIDUMP_MISC_INFO_5_SIZE,
    ];
    let (read_size, padding) = if sizes.contains(&size) {
        (size, 0)
    } else if size > MINIDUMP_MISC_INFO_5_SIZE {
        (MINIDUMP_MISC_INFO_5_SIZE, size - MINIDUMP_MISC_INFO_5_SIZE)
    } else {
        return None;
    };
    let bytes = s.io.read(read_size as u64)?;
    if padding != 0 {
        let position = s.io.tell()?;
        if !s.io.seek(position + padding as u64) {
            return None;
        }
    }
    let mut info = [0u8; MINIDUMP_MISC_INFO_5_SIZE];
    info.get_mut(..read_size)?.copy_from_slice(bytes);
    let info = *view!(&info, MiscInfo5)?;
    (info.size_of_info.get() as usize == size).then_some(info)
}

/// The MiscInfo stream.
pub fn print_misc_info(s: &Session, out: &mut dyn Write) -> io::Result<()> {
    let Some(m) = read_misc_info(s) else {
        return Ok(());
    };
    let size = m.size_of_info.get() as usize;
    let flags = m.flags1.get();
    let has = |bit: u32| flags & bit != 0;
    writeln!(out, "MDRawMiscInfo")?;
    writeln!(out, "  {:<W$} = {}", "size_of_info", size as u32 as i32)?;
    writeln!(out, "  {:<W$} = 0x{flags:x}", "flags1")?;
    value_or_invalid(out, "process_id", has(MINIDUMP_MISC1_PROCESS_ID), Number::Decimal, m.process_id.get())?;
    let times = has(MINIDUMP_MISC1_PROCESS_TIMES);
    if times {
        let t = m.process_create_time.get();
        writeln!(out, "  {:<W$} = 0x{t:x} {}", "process_create_time", text::utc(t))?;
    } else {
        writeln!(out, "  {:<W$} = (invalid)", "process_create_time")?;
    }
    value_or_invalid(out, "process_user_time", times, Number::Decimal, m.process_user_time.get())?;
    value_or_invalid(out, "process_kernel_time", times, Number::Decimal, m.process_kernel_time.get())?;

    if size > MINIDUMP_MISC_INFO_SIZE {
        let power = has(MINIDUMP_MISC1_PROCESSOR_POWER_INFO);
        for (name, value) in [
            ("processor_max_mhz", &m.processor_max_mhz),
            ("processor_current_mhz", &m.processor_current_mhz),
            ("processor_mhz_limit", &m.processor_mhz_limit),
            ("processor_max_idle_state", &m.processor_max_idle_state),
            ("processor_current_idle_state", &m.processor_current_idle_state),
        ] {
            value_or_invalid(out, name, power, Number::Decimal, value.get())?;
        }
    }

    if size > MINIDUMP_MISC_INFO_2_SIZE {
        let integrity = has(MINIDUMP_MISC3_PROCESS_INTEGRITY);
        value_or_invalid(out, "process_integrity_level", integrity, Number::Hex, m.process_integrity_level.get())?;
        let execute = has(MINIDUMP_MISC3_PROCESS_EXECUTE_FLAGS);
        value_or_invalid(out, "process_execute_flags", execute, Number::Hex, m.process_execute_flags.get())?;
        let protected = has(MINIDUMP_MISC3_PROTECTED_PROCESS);
        value_or_invalid(out, "protected_process", protected, Number::Decimal, m.protected_process.get())?;
        let timezone = has(MINIDUMP_MISC3_TIMEZONE);
        value_or_invalid(out, "time_zone_id", timezone, Number::Decimal, m.time_zone_id.get())?;
        let tz = &m.time_zone;
        if timezone {
            writeln!(out, "  {:<W$} = {}", "time_zone.bias", tz.bias.get())?;
            write!(out, "  {:<W$} = ", "time_zone.standard_name")?;
            out.write_all(&text::utf16_field(&tz.standard_name))?;
            writeln!(out)?;
            writeln!(out, "  {:<W$} = {}", "time_zone.standard_date", system_time(&tz.standard_date))?;
            writeln!(out, "  {:<W$} = {}", "time_zone.standard_bias", tz.standard_bias.get())?;
            write!(out, "  {:<W$} = ", "time_zone.daylight_name")?;
            out.write_all(&text::utf16_field(&tz.daylight_name))?;
            writeln!(out)?;
            writeln!(out, "  {:<W$} = {}", "time_zone.daylight_date", system_time(&tz.daylight_date))?;
            writeln!(out, "  {:<W$} = {}", "time_zone.daylight_bias", tz.daylight_bias.get())?;
        } else {
            for name in [
                "time_zone.bias",
                "time_zone.standard_name",
                "time_zone.standard_date",
                "time_zone.standard_bias",
                "time_zone.daylight_name",
                "time_zone.daylight_date",
                "time_zone.daylight_bias",
            ] {
                writeln!(out, "  {name:<W$} = (invalid)")?;
            }
        }
    }

    if size > MINIDUMP_MISC_INFO_3_SIZE {
        if has(MINIDUMP_MISC4_BUILDSTRING) {
            write!(out, "  {:<W$} = ", "build_string")?;
            out.write_all(&text::utf16_field(&m.build_string))?;
            writeln!(out)?;
            write!(out, "  {:<W$} = ", "dbg_bld_str")?;
            out.write_all(&text::utf16_field(&m.dbg_bld_str))?;
            writeln!(out)?;
        } else {
            writeln!(out, "  {:<W$} = (invalid)", "build_string")?;
            writeln!(out, "  {:<W$} = (invalid)", "dbg_bld_str")?;
        }
    }

    if size > MINIDUMP_MISC_INFO_4_SIZE {
        // Breakpad looks at the process-cookie flag for the XSTATE data too.
        if has(MINIDUMP_MISC5_PROCESS_COOKIE) {
            let x = &m.xstate_data;
            let enabled = x.enabled_features.get();
            writeln!(out, "  {:<W$} = {}", "xstate_data.size_of_info", x.size_of_info.get() as i32)?;
            writeln!(out, "  {:<W$} = {}", "xstate_data.context_size", x.context_size.get() as i32)?;
            writeln!(out, "  {:<W$} = 0x{enabled:x}", "xstate_data.enabled_features")?;
            for (i, feature) in x.features.iter().enumerate() {
                if enabled >> i & 1 != 0 {
                    writeln!(
                        out,
                        "  {:<W$} = {{ {}, {} }}",
                        format!("xstate_data.features[{i:02}]"),
                        feature.offset.get() as i32,
                        feature.size.get() as i32
                    )?;
                }
            }
            if enabled == 0 {
                writeln!(out, "  {:<W$} = (empty)", "xstate_data.features[]")?;
            }
            writeln!(out, "  {:<W$} = {}", "process_cookie", m.process_cookie.get() as i32)?;
        } else {
            for name in [
                "xstate_data.size_of_info",
                "xstate_data.context_size",
                "xstate_data.enabled_features",
                "xstate_data.features[]",
                "process_cookie",
            ] {
                writeln!(out, "  {name:<W$} = (invalid)")?;
            }
        }
    }
    writeln!(out)
}

/// Breakpad's BreakpadInfo stream.
pub fn print_breakpad_info(s: &Session, out: &mut dyn Write) -> io::Result<()> {
    let Some(size) = s.seek_to_stream(StreamType::BREAKPAD_INFO) else {
        return Ok(());
    };
    if size as usize != core::mem::size_of::<BreakpadInfo>() {
        return Ok(());
    }
    let Some(info) = read_struct!(s.io, BreakpadInfo) else {
        return Ok(());
    };
    let validity = info.validity.get();
    let line = |out: &mut dyn Write, name: &str, bit: u32, value: u32| -> io::Result<()> {
        if validity & bit != 0 {
            writeln!(out, "  {name:<20} = 0x{value:x}")
        } else {
            writeln!(out, "  {name:<20} = (invalid)")
        }
    };
    writeln!(out, "MDRawBreakpadInfo")?;
    writeln!(out, "  {:<20} = 0x{validity:x}", "validity")?;
    line(out, "dump_thread_id", BREAKPAD_INFO_VALID_DUMP_THREAD_ID, info.dump_thread_id.get())?;
    line(out, "requesting_thread_id", BREAKPAD_INFO_VALID_REQUESTING_THREAD_ID, info.requesting_thread_id.get())?;
    writeln!(out)
}
