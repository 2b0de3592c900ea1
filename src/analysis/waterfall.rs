//! Waterfall geometry for one trace, zoomable to a time window: the window
//! itself (nanoseconds since the trace's start), where each span's bar falls
//! in it (clipped at its edges, or marked as lying before or after it), the
//! axis ticks at "nice" steps, and the arithmetic of a drag selection
//! (pointer pixels to fractions of the bar column).
//!
//! Plain numbers only: tick and window labels are `display`'s job, reading
//! pointer positions and element rectangles is the view's. Must not depend
//! on `ui`, `web` or a browser crate.

/// A pointer that moves less than this (CSS pixels) between press and
/// release made a click, not a selection.
pub const DRAG_THRESHOLD_PX: f64 = 4.0;

/// At most this many ticks on the axis (and at least 4 whenever the window
/// is wider than about 20 ns: see [`axis`]).
pub const MAX_TICKS: i64 = 8;

/// Ticks this close to an edge (as a fraction of the window) are aligned to
/// it, so their label stays inside the axis.
const EDGE_TICK: f64 = 0.06;

/// A time window over a trace, in nanoseconds since the trace's start:
/// `start_nanos < end_nanos`, both within `0..=trace duration` (a trace of
/// zero duration is treated as 1 ns long, as the tree rows do).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    pub start_nanos: i64,
    pub end_nanos: i64,
}

impl Window {
    /// The whole trace.
    pub fn full(trace_nanos: i64) -> Self {
        Window {
            start_nanos: 0,
            end_nanos: trace_nanos.max(1),
        }
    }

    /// Never less than 1 ns, so it can divide.
    pub fn width_nanos(self) -> i64 {
        self.end_nanos.saturating_sub(self.start_nanos).max(1)
    }

    /// The zoom after selecting the fractions `a..b` (either order, clamped
    /// to 0..=1) of this window: rounded outwards to whole nanoseconds, at
    /// least 1 ns wide. `None` when that is the whole trace (not zoomed).
    pub fn select(self, a: f64, b: f64, trace_nanos: i64) -> Option<Window> {
        let (a, b) = (unit(a), unit(b));
        let (lo, hi) = if a <= b { (a, b) } else { (b, a) };
        let width = self.width_nanos() as f64;
        // `as` saturates, and both products lie within 0..=width.
        let start = self.start_nanos.saturating_add((lo * width).floor() as i64);
        let end = self.start_nanos.saturating_add((hi * width).ceil() as i64);
        clamped(start, end, trace_nanos)
    }

    /// The zoom that shows one span (times since the trace's start) with a
    /// margin of a tenth of its duration each side; an instant gets a
    /// hundredth of the trace each side. `None` when that is the whole trace.
    pub fn around(start_nanos: i64, end_nanos: i64, trace_nanos: i64) -> Option<Window> {
        let end_nanos = end_nanos.max(start_nanos);
        let length = end_nanos.saturating_sub(start_nanos);
        let margin = if length > 0 {
            (length / 10).max(1)
        } else {
            (Window::full(trace_nanos).width_nanos() / 100).max(1)
        };
        clamped(
            start_nanos.saturating_sub(margin),
            end_nanos.saturating_add(margin),
            trace_nanos,
        )
    }

    /// The fraction (unclamped) of this window at which `nanos` falls.
    fn fraction(self, nanos: i64) -> f64 {
        nanos.saturating_sub(self.start_nanos) as f64 / self.width_nanos() as f64
    }
}

/// `x` clamped to 0..=1, with NaN as 0.
fn unit(x: f64) -> f64 {
    if x.is_nan() {
        0.0
    } else {
        x.clamp(0.0, 1.0)
    }
}

/// `start..end` moved inside the trace and widened to 1 ns if needed;
/// `None` when it covers the whole trace.
fn clamped(start: i64, end: i64, trace_nanos: i64) -> Option<Window> {
    let full = Window::full(trace_nanos);
    let start = start.clamp(0, full.end_nanos - 1);
    let mut end = end.clamp(0, full.end_nanos);
    if end <= start {
        end = start + 1;
    }
    let window = Window {
        start_nanos: start,
        end_nanos: end,
    };
    (window != full).then_some(window)
}

/// Where a span lies relative to the window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Placement {
    /// At least partly inside: drawn as a bar.
    Inside,
    /// Ends before the window starts: a faint marker at the left edge.
    Before,
    /// Starts after the window ends: a faint marker at the right edge.
    After,
}

/// Where a bar's duration label goes, so it stays readable.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum LabelAnchor {
    /// Right of the bar; the label's left edge at this percentage.
    After { left_pct: f64 },
    /// Left of the bar; the label's right edge this far (percent) from the
    /// column's right edge.
    Before { right_pct: f64 },
    /// Inside the bar (it fills the row), right-aligned at this distance
    /// (percent) from the column's right edge.
    Inside { right_pct: f64 },
}

/// One span's bar in the window, in percent of the bar column.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Bar {
    pub placement: Placement,
    /// The visible part: where it starts and how wide it is (0 for an
    /// instant, and for the markers of spans outside the window).
    pub left_pct: f64,
    pub width_pct: f64,
    /// The span starts before the window (its bar continues to the left).
    pub clipped_start: bool,
    /// The span ends after the window (its bar continues to the right).
    pub clipped_end: bool,
    pub label: LabelAnchor,
}

/// The bar of a span running `start_nanos..end_nanos` (since the trace's
/// start; an end before the start counts as an instant) in `window`. A span
/// that only touches an edge of the window is outside it, unless it is an
/// instant (which is then drawn on the edge).
pub fn bar(window: Window, start_nanos: i64, end_nanos: i64) -> Bar {
    let end_nanos = end_nanos.max(start_nanos);
    let instant = end_nanos == start_nanos;
    let placement =
        if end_nanos < window.start_nanos || (end_nanos == window.start_nanos && !instant) {
            Placement::Before
        } else if start_nanos > window.end_nanos || (start_nanos == window.end_nanos && !instant) {
            Placement::After
        } else {
            Placement::Inside
        };
    let (left, width) = match placement {
        Placement::Before => (0.0, 0.0),
        Placement::After => (1.0, 0.0),
        Placement::Inside => {
            let left = window.fraction(start_nanos.max(window.start_nanos));
            let right = window.fraction(end_nanos.min(window.end_nanos));
            (left, (right - left).max(0.0))
        }
    };
    let inside = placement == Placement::Inside;
    Bar {
        placement,
        left_pct: left * 100.0,
        width_pct: width * 100.0,
        clipped_start: inside && start_nanos < window.start_nanos,
        clipped_end: inside && end_nanos > window.end_nanos,
        label: label_anchor(left, left + width),
    }
}

/// After the bar, or before it when the bar ends near the right edge, or
/// inside it when the bar fills the row.
fn label_anchor(left: f64, right: f64) -> LabelAnchor {
    if right <= 0.85 {
        LabelAnchor::After {
            left_pct: right * 100.0,
        }
    } else if left >= 0.15 {
        LabelAnchor::Before {
            right_pct: (1.0 - left) * 100.0,
        }
    } else {
        LabelAnchor::Inside {
            right_pct: (1.0 - right) * 100.0,
        }
    }
}

/// How a tick's label sits on its tick mark.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TickAlign {
    /// Label starts at the tick (near the left edge).
    Start,
    Center,
    /// Label ends at the tick (near the right edge).
    End,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Tick {
    /// Time since the trace's start (label it with `display::axis_time`).
    pub nanos: i64,
    /// Position across the window, in percent.
    pub pct: f64,
    pub align: TickAlign,
    /// On a multiple of twice the step: the ticks that stay labelled when
    /// the axis is too narrow for all of them (every other one).
    pub major: bool,
}

/// The axis of a window: ticks at every multiple of one step.
#[derive(Debug, Clone, PartialEq)]
pub struct Axis {
    /// 1, 2, 2.5 or 5 × 10^k ns (2.5 only from 25 ns up, to stay whole).
    pub step_nanos: i64,
    pub ticks: Vec<Tick>,
}

/// Ticks at the smallest nice step that gives at most [`MAX_TICKS`] in the
/// window. Each step is at most twice the one before and, but for 2 → 2.5,
/// a multiple of it, so one step less would have had 9 or more ticks and
/// this one has at least 4 (for windows over ~20 ns; a 1 ns window has 2).
pub fn axis(window: Window) -> Axis {
    axis_fitting(window, MAX_TICKS)
}

/// Room each tick label gets on the axis (CSS pixels): `1.205 s` and a gap.
pub const TICK_SPACING_PX: f64 = 60.0;

/// At most how many ticks an axis `width_px` wide holds without labels
/// overlapping (2 to [`MAX_TICKS`]).
pub fn ticks_for_width(width_px: f64) -> i64 {
    if !width_px.is_finite() {
        return MAX_TICKS;
    }
    ((width_px / TICK_SPACING_PX).floor() as i64).clamp(2, MAX_TICKS)
}

/// [`axis`] with at most `max_ticks` ticks (at least 2): for a narrow axis.
pub fn axis_fitting(window: Window, max_ticks: i64) -> Axis {
    let max_ticks = max_ticks.clamp(2, MAX_TICKS);
    let (start, end) = (
        window.start_nanos,
        window.start_nanos.saturating_add(window.width_nanos()),
    );
    let step = nice_steps()
        .find(|&step| tick_count(start, end, step) <= max_ticks)
        .unwrap_or(i64::MAX);
    let first = start.div_euclid(step) + i64::from(start.rem_euclid(step) != 0);
    let last = end.div_euclid(step);
    let ticks = (first..=last)
        .filter_map(|k| k.checked_mul(step))
        .map(|nanos| {
            let at = window.fraction(nanos);
            let align = if at < EDGE_TICK {
                TickAlign::Start
            } else if at > 1.0 - EDGE_TICK {
                TickAlign::End
            } else {
                TickAlign::Center
            };
            Tick {
                nanos,
                pct: at * 100.0,
                align,
                major: step
                    .checked_mul(2)
                    .is_none_or(|major| nanos.rem_euclid(major) == 0),
            }
        })
        .collect();
    Axis {
        step_nanos: step,
        ticks,
    }
}

/// 1, 2, 5, 10, 20, 25, 50, 100, … ns, up to what fits an `i64`.
fn nice_steps() -> impl Iterator<Item = i64> {
    (0..=18u32)
        .map(|k| 10i64.pow(k))
        .flat_map(|p| {
            let quarter = (p >= 10).then(|| p / 10 * 25);
            [Some(p), p.checked_mul(2), quarter, p.checked_mul(5)]
        })
        .flatten()
}

/// Multiples of `step` in `start..=end`.
fn tick_count(start: i64, end: i64, step: i64) -> i64 {
    let first = start.div_euclid(step) + i64::from(start.rem_euclid(step) != 0);
    end.div_euclid(step).saturating_sub(first).saturating_add(1)
}

/// Where `x` falls across an element spanning `left..left + width` (all in
/// CSS pixels), as a fraction clamped to 0..=1; 0 for an element of no width.
pub fn fraction_at(x: f64, left: f64, width: f64) -> f64 {
    if width > 0.0 {
        unit((x - left) / width)
    } else {
        0.0
    }
}

/// Whether a press at `from_x` and the pointer now at `to_x` make a drag.
pub fn is_drag(from_x: f64, to_x: f64) -> bool {
    (to_x - from_x).abs() >= DRAG_THRESHOLD_PX
}

/// The translucent band of a selection in progress, in percent.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Band {
    pub left_pct: f64,
    pub width_pct: f64,
}

/// The band between two fractions (either order) of the bar column.
pub fn band(a: f64, b: f64) -> Band {
    let (a, b) = (unit(a), unit(b));
    Band {
        left_pct: a.min(b) * 100.0,
        width_pct: (a - b).abs() * 100.0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECOND: i64 = 1_000_000_000;

    fn w(start_nanos: i64, end_nanos: i64) -> Window {
        Window {
            start_nanos,
            end_nanos,
        }
    }

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-9
    }

    #[test]
    fn selecting_part_of_the_window_zooms_in_whole_nanoseconds() {
        let full = Window::full(3_400);
        assert_eq!(full, w(0, 3_400));
        assert_eq!(full.select(0.25, 0.5, 3_400), Some(w(850, 1_700)));
        // Either drag direction; rounded outwards.
        assert_eq!(full.select(0.5, 0.2501, 3_400), Some(w(850, 1_700)));
        // Nested: fractions are of the current window.
        let zoomed = w(1_000, 2_000);
        assert_eq!(zoomed.select(0.1, 0.2, 3_400), Some(w(1_100, 1_200)));
        // Out-of-range and NaN fractions are clamped.
        assert_eq!(zoomed.select(-3.0, f64::NAN, 3_400), Some(w(1_000, 1_001)));
        assert_eq!(zoomed.select(0.5, 7.0, 3_400), Some(w(1_500, 2_000)));
        // Selecting everything is not a zoom.
        assert_eq!(full.select(0.0, 1.0, 3_400), None);
        assert_eq!(full.select(1.0, -1.0, 3_400), None);
    }

    #[test]
    fn a_window_is_never_narrower_than_one_nanosecond() {
        let one = w(5, 6);
        assert_eq!(one.select(0.2, 0.4, 100), Some(w(5, 6)));
        assert_eq!(w(0, 100).select(0.501, 0.502, 100), Some(w(50, 51)));
        // At the right edge the nanosecond is the last one of the trace.
        assert_eq!(w(0, 100).select(1.0, 1.0, 100), Some(w(99, 100)));
        assert_eq!(w(0, 100).select(0.0, 0.0, 100), Some(w(0, 1)));
    }

    #[test]
    fn a_zero_duration_trace_cannot_zoom() {
        let full = Window::full(0);
        assert_eq!(full, w(0, 1));
        assert_eq!(full.width_nanos(), 1);
        assert_eq!(full.select(0.2, 0.8, 0), None);
        assert_eq!(Window::around(0, 0, 0), None);
        // Its spans are instants at the left edge, labelled after the bar.
        let b = bar(full, 0, 0);
        assert_eq!(b.placement, Placement::Inside);
        assert_eq!((b.left_pct, b.width_pct), (0.0, 0.0));
        assert_eq!(b.label, LabelAnchor::After { left_pct: 0.0 });
        let axis = axis(full);
        assert_eq!(axis.step_nanos, 1);
        assert_eq!(
            axis.ticks.iter().map(|t| t.nanos).collect::<Vec<_>>(),
            [0, 1]
        );
    }

    #[test]
    fn zooming_to_a_span_leaves_a_margin() {
        let trace = 3_400_000;
        assert_eq!(
            Window::around(1_000_000, 2_000_000, trace),
            Some(w(900_000, 2_100_000))
        );
        // Clamped at the trace's edges.
        assert_eq!(Window::around(0, 1_000_000, trace), Some(w(0, 1_100_000)));
        // The whole trace (the root span) is no zoom.
        assert_eq!(Window::around(0, trace, trace), None);
        // An instant gets a hundredth of the trace each side.
        assert_eq!(
            Window::around(1_700_000, 1_700_000, trace),
            Some(w(1_666_000, 1_734_000))
        );
        // A negative duration counts as an instant; tiny spans get 1 ns.
        assert_eq!(Window::around(10, 5, 100), Some(w(9, 11)));
        assert_eq!(Window::around(10, 12, 100), Some(w(9, 13)));
    }

    #[test]
    fn bars_map_into_the_window_and_are_clipped_at_its_edges() {
        let window = w(1_000, 2_000);
        let inside = bar(window, 1_250, 1_500);
        assert_eq!(inside.placement, Placement::Inside);
        assert!(close(inside.left_pct, 25.0) && close(inside.width_pct, 25.0));
        assert!(!inside.clipped_start && !inside.clipped_end);
        assert_eq!(inside.label, LabelAnchor::After { left_pct: 50.0 });

        let crossing_left = bar(window, 500, 1_100);
        assert!(close(crossing_left.left_pct, 0.0) && close(crossing_left.width_pct, 10.0));
        assert!(crossing_left.clipped_start && !crossing_left.clipped_end);

        let crossing_right = bar(window, 1_900, 9_000);
        assert!(close(crossing_right.left_pct, 90.0) && close(crossing_right.width_pct, 10.0));
        assert!(!crossing_right.clipped_start && crossing_right.clipped_end);
        assert!(
            matches!(crossing_right.label, LabelAnchor::Before { right_pct } if close(right_pct, 10.0))
        );

        let covering = bar(window, 0, 3_000);
        assert!(close(covering.left_pct, 0.0) && close(covering.width_pct, 100.0));
        assert!(covering.clipped_start && covering.clipped_end);
        assert!(
            matches!(covering.label, LabelAnchor::Inside { right_pct } if close(right_pct, 0.0))
        );
    }

    #[test]
    fn bars_outside_the_window_become_edge_markers() {
        let window = w(1_000, 2_000);
        let before = bar(window, 100, 900);
        assert_eq!(before.placement, Placement::Before);
        assert_eq!((before.left_pct, before.width_pct), (0.0, 0.0));
        assert!(!before.clipped_start && !before.clipped_end);
        assert_eq!(before.label, LabelAnchor::After { left_pct: 0.0 });
        let after = bar(window, 2_500, 3_000);
        assert_eq!(after.placement, Placement::After);
        assert_eq!((after.left_pct, after.width_pct), (100.0, 0.0));
        assert_eq!(after.label, LabelAnchor::Before { right_pct: 0.0 });
        // Touching an edge is outside, unless the span is an instant.
        assert_eq!(bar(window, 500, 1_000).placement, Placement::Before);
        assert_eq!(bar(window, 2_000, 2_500).placement, Placement::After);
        let at_start = bar(window, 1_000, 1_000);
        assert_eq!(at_start.placement, Placement::Inside);
        assert_eq!((at_start.left_pct, at_start.width_pct), (0.0, 0.0));
        let at_end = bar(window, 2_000, 2_000);
        assert_eq!(at_end.placement, Placement::Inside);
        assert!(close(at_end.left_pct, 100.0));
        // A negative duration is drawn as an instant.
        assert_eq!(bar(window, 1_500, 1_200), bar(window, 1_500, 1_500));
    }

    #[test]
    fn the_full_window_reproduces_the_unzoomed_rows() {
        let full = Window::full(200);
        let b = bar(full, 50, 150);
        assert!(close(b.left_pct, 25.0) && close(b.width_pct, 50.0));
        assert!(!b.clipped_start && !b.clipped_end);
        assert!(matches!(b.label, LabelAnchor::After { left_pct } if close(left_pct, 75.0)));
    }

    fn tick_nanos(window: Window) -> Vec<i64> {
        axis(window).ticks.iter().map(|t| t.nanos).collect()
    }

    #[test]
    fn ticks_fall_on_nice_steps() {
        let a = axis(Window::full(3_400_000_000));
        assert_eq!(a.step_nanos, SECOND / 2);
        assert_eq!(a.ticks.len(), 7);
        assert_eq!(a.ticks[0].align, TickAlign::Start);
        assert!(close(a.ticks[1].pct, 50.0 / 3.4));
        assert_eq!(a.ticks[1].align, TickAlign::Center);
        // 1.20 s – 1.85 s: every 100 ms.
        let a = axis(w(1_200_000_000, 1_850_000_000));
        assert_eq!(a.step_nanos, 100_000_000);
        assert_eq!(
            tick_nanos(w(1_200_000_000, 1_850_000_000)),
            (12..=18).map(|k| k * 100_000_000).collect::<Vec<_>>()
        );
        assert_eq!(a.ticks.last().map(|t| t.align), Some(TickAlign::Center));
        // Every other tick is major: 1.2 s, 1.4 s, 1.6 s, 1.8 s.
        assert_eq!(
            a.ticks.iter().map(|t| t.major).collect::<Vec<_>>(),
            [true, false, true, false, true, false, true]
        );
        // A tick on the right edge is aligned to it.
        let a = axis(w(0, 1_000));
        assert_eq!(a.step_nanos, 200);
        assert_eq!(a.ticks.last().map(|t| t.align), Some(TickAlign::End));
        // The quarter step keeps the count at 4 or more.
        assert_eq!(axis(w(100, 1_899)).step_nanos, 250);
        assert_eq!(
            tick_nanos(w(100, 1_899)),
            [250, 500, 750, 1_000, 1_250, 1_500, 1_750]
        );
    }

    #[test]
    fn a_narrow_axis_gets_fewer_ticks() {
        assert_eq!(ticks_for_width(130.0), 2);
        assert_eq!(ticks_for_width(250.0), 4);
        assert_eq!(ticks_for_width(5000.0), MAX_TICKS);
        assert_eq!(ticks_for_width(f64::NAN), MAX_TICKS);
        for width in [21, 99, 1_799, 3_400_000_000] {
            for max in 2..=MAX_TICKS {
                let n = axis_fitting(w(0, width), max).ticks.len() as i64;
                assert!(n <= max && n >= 1, "{width} ns, at most {max}: {n}");
            }
        }
    }

    #[test]
    fn every_window_gets_four_to_eight_ticks() {
        for start in [0, 1, 7, 999, 123_456_789] {
            for width in [21, 30, 99, 100, 101, 777, 1_799, 65_432, 3_400_000_000] {
                let window = w(start, start + width);
                let a = axis(window);
                let n = a.ticks.len() as i64;
                assert!((4..=MAX_TICKS).contains(&n), "{window:?}: {n} ticks");
                assert!(a.ticks.iter().all(|t| t.nanos % a.step_nanos == 0));
                assert!(a
                    .ticks
                    .iter()
                    .all(|t| (-1e-9..=100.0 + 1e-9).contains(&t.pct)));
            }
        }
        // Narrow windows still get ticks on whole nanoseconds.
        assert_eq!(tick_nanos(w(5, 6)), [5, 6]);
        assert_eq!(tick_nanos(w(5, 8)), [5, 6, 7, 8]);
        // Huge ones do not overflow.
        assert!(!axis(Window::full(i64::MAX)).ticks.is_empty());
    }

    #[test]
    fn pointer_positions_become_fractions_of_the_column() {
        assert_eq!(fraction_at(150.0, 100.0, 200.0), 0.25);
        assert_eq!(fraction_at(50.0, 100.0, 200.0), 0.0);
        assert_eq!(fraction_at(400.0, 100.0, 200.0), 1.0);
        assert_eq!(fraction_at(150.0, 100.0, 0.0), 0.0);
        assert!(!is_drag(100.0, 103.5));
        assert!(is_drag(100.0, 96.0));
        assert_eq!(
            band(0.75, 0.25),
            Band {
                left_pct: 25.0,
                width_pct: 50.0
            }
        );
        assert_eq!(band(-1.0, 0.5).left_pct, 0.0);
    }
}
