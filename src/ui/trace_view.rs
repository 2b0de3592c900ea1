//! One trace: a header (errors first: the error that ended the request,
//! where it was raised and in which step, with a jump to that span; then
//! scores, tags and totals), then the span tree and the waterfall side by
//! side (one virtualised row per visible span, bars on the trace's time
//! axis). Error spans are marked; LM, retriever and tool spans have their
//! own icon and colour; a predictor call's first span shows its signature.
//! A trace without timings (DSPy `lm.history`) shows no waterfall.
//!
//! The waterfall zooms: a drag across the time axis (or across the bars)
//! selects a window, a double click on a row's bar zooms to its span, and
//! "Reset zoom" goes back. The zoom is this component's own state, dropped
//! when another trace opens. Its geometry comes from
//! `analysis::waterfall`; this file only reads the pointer and the bar
//! column's rectangle.
//!
//! Geometry goes through the CSSOM (`~style`, the element's `style`
//! property), never a `style` attribute, which the page's CSP blocks; class
//! names are fixed strings, never made from trace text.

use super::trace_list::{outcome_classes, outcome_icon, score_badge};
use super::virtual_rows::VirtualRows;
use crate::analysis::breakdown::trace_breakdown;
use crate::analysis::critical_path::critical_path;
use crate::analysis::prices::PriceTable;
use crate::analysis::step_units::{label, trace_units};
use crate::analysis::trace_header::trace_header;
use crate::analysis::tree_rows::{tree_rows, TreeRow};
use crate::analysis::waterfall::{self, Band, LabelAnchor, Placement, TickAlign, Window};
use crate::display;
use crate::load::Session;
use crate::model::{SpanIdx, SpanKind, StatusCode, TraceIdx};
use std::collections::{BTreeSet, HashMap, HashSet};
use std::rc::Rc;
use web_sys::Element;
use yew::prelude::*;

pub const ROW_HEIGHT: u32 = 26;

/// Where a drag may start: the time axis, and the bar column of any row.
const ZOOM_SURFACE: &str = ".span-grid-head .axis, .span-row .bar-col";

/// A zoom of one trace of one session; the key tells a stale one apart in
/// the render before the reset effect runs.
#[derive(Clone, Copy, PartialEq)]
struct Zoom {
    key: (usize, TraceIdx),
    window: Window,
}

/// A press on the waterfall, until it is released.
struct Drag {
    /// The bar column it started in, and where its bars go (CSS px).
    column: Element,
    left: f64,
    width: f64,
    pointer_id: i32,
    from_x: f64,
    /// The window on screen when it started: the selection is a part of it.
    view: Window,
    /// Moved past the click threshold.
    dragging: bool,
}

/// What every row needs besides its own data.
struct RowContext {
    selected: Option<SpanIdx>,
    critical: Option<Rc<HashSet<u32>>>,
    view: Window,
    band: Option<Band>,
    on_select: Callback<SpanIdx>,
    on_toggle: Callback<SpanIdx>,
    /// Signatures of predictor calls, by the row of their first span.
    signatures: Rc<HashMap<u32, String>>,
    timed: bool,
    /// Zoom to a span: its (start, end) in nanoseconds since the trace's start.
    on_zoom: Callback<(i64, i64)>,
}

#[derive(Properties)]
pub struct TraceViewProps {
    pub session: Rc<Session>,
    pub trace: TraceIdx,
    pub selected: Option<SpanIdx>,
    pub collapsed: Rc<BTreeSet<u32>>,
    pub on_select: Callback<SpanIdx>,
    pub on_toggle: Callback<SpanIdx>,
    /// Prices for costs the file does not report (as the other views use).
    pub prices: Rc<PriceTable>,
}

impl PartialEq for TraceViewProps {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.session, &other.session)
            && Rc::ptr_eq(&self.prices, &other.prices)
            && self.trace == other.trace
            && self.selected == other.selected
            && self.collapsed == other.collapsed
    }
}

/// A glyph per span kind (text, so it is never markup).
pub fn kind_icon(kind: SpanKind) -> &'static str {
    match kind {
        SpanKind::Llm => "✦",
        SpanKind::Chain => "◇",
        SpanKind::Retriever => "⌕",
        SpanKind::Tool => "⚒",
        SpanKind::Agent => "◎",
        SpanKind::Embedding => "≋",
        SpanKind::Parser => "⇄",
        SpanKind::Evaluator => "✓",
        SpanKind::Unknown => "•",
    }
}

/// The CSS class of a span kind: one of a fixed set.
pub fn kind_class(kind: SpanKind) -> &'static str {
    match kind {
        SpanKind::Llm => "kind-llm",
        SpanKind::Chain => "kind-chain",
        SpanKind::Retriever => "kind-retriever",
        SpanKind::Tool => "kind-tool",
        SpanKind::Agent => "kind-agent",
        SpanKind::Embedding => "kind-embedding",
        SpanKind::Parser => "kind-parser",
        SpanKind::Evaluator => "kind-evaluator",
        SpanKind::Unknown => "kind-unknown",
    }
}

#[component]
pub fn TraceView(props: &TraceViewProps) -> Html {
    let session = props.session.clone();
    let rows = use_memo(
        (
            Rc::as_ptr(&session) as usize,
            props.trace,
            props.collapsed.clone(),
        ),
        move |(_, trace, collapsed)| tree_rows(&session.store, &session.index, *trace, collapsed),
    );
    let session = props.session.clone();
    let critical = use_memo(
        (Rc::as_ptr(&session) as usize, props.trace),
        move |(_, trace)| {
            let path = critical_path(&session.store, &session.index, *trace);
            path.per_span
                .iter()
                .filter(|s| s.on_path_nanos > 0)
                .map(|s| s.span.0)
                .collect::<HashSet<u32>>()
        },
    );
    let session = props.session.clone();
    let breakdown = use_memo(
        (Rc::as_ptr(&session) as usize, props.trace),
        move |(_, trace)| trace_breakdown(&session.store, &session.index, *trace),
    );
    let session = props.session.clone();
    let header = use_memo(
        (
            Rc::as_ptr(&session) as usize,
            props.trace,
            Rc::as_ptr(&props.prices) as usize,
        ),
        {
            let prices = props.prices.clone();
            move |(_, trace, _)| trace_header(&session.store, &session.index, *trace, &prices)
        },
    );
    let session = props.session.clone();
    let signatures = use_memo(
        (Rc::as_ptr(&session) as usize, props.trace),
        move |(_, trace)| {
            let units = trace_units(&session.store, &session.index, *trace);
            let heads: Vec<SpanIdx> = units.heads().collect();
            let labels: HashMap<u32, String> = heads
                .into_iter()
                .filter_map(|h| {
                    let sig = label(&session.store, &units, h).signature?;
                    Some((h.0, sig.text()))
                })
                .collect();
            Rc::new(labels)
        },
    );
    let show_critical = use_state(|| true);
    let key = (Rc::as_ptr(&props.session) as usize, props.trace);
    let zoom = use_state_eq(|| None::<Zoom>);
    {
        let zoom = zoom.clone();
        use_effect_with(key, move |_| zoom.set(None));
    }
    // The axis's width decides how many tick labels fit on it.
    let axis_ref = use_node_ref();
    let axis_px = use_state_eq(|| 0i32);
    {
        let (axis_ref, axis_px) = (axis_ref.clone(), axis_px.clone());
        use_effect_with((), move |_| {
            let watch = axis_ref.cast::<Element>().and_then(|el| {
                crate::web::watch_width(&el, move |w| axis_px.set(w.round() as i32))
            });
            move || drop(watch)
        });
    }
    let drag = use_mut_ref(|| None::<Drag>);
    let band = use_state_eq(|| None::<Band>);
    // A drag just ended: the click that follows its release is no selection.
    let dragged = use_mut_ref(|| false);
    let store = &props.session.store;
    let Some(t) = props.session.index.traces.get(props.trace.index()) else {
        return html! {};
    };
    let trace_nanos = t.duration_nanos();
    let zoomed = (*zoom).filter(|z| z.key == key).map(|z| z.window);
    let view = zoomed.unwrap_or_else(|| Window::full(trace_nanos));
    let root_name = t
        .root
        .map_or("(no root span)", |r| store.str(store.spans.name[r.index()]));
    let keep_visible = props
        .selected
        .and_then(|s| rows.iter().position(|r| r.span == s));

    let set_zoom = {
        let zoom = zoom.clone();
        Callback::from(move |window: Option<Window>| {
            zoom.set(window.map(|window| Zoom { key, window }));
        })
    };
    let on_select = {
        let (select, dragged) = (props.on_select.clone(), dragged.clone());
        Callback::from(move |span: SpanIdx| {
            if !dragged.replace(false) {
                select.emit(span);
            }
        })
    };
    let render = {
        let (session, rows) = (props.session.clone(), rows.clone());
        let cx = RowContext {
            selected: props.selected,
            critical: (*show_critical).then(|| critical.clone()),
            view,
            band: *band,
            on_select,
            on_toggle: props.on_toggle.clone(),
            signatures: (*signatures).clone(),
            timed: header.timed,
            on_zoom: set_zoom
                .reform(move |(start, end): (i64, i64)| Window::around(start, end, trace_nanos)),
        };
        Callback::from(move |i: usize| match rows.get(i) {
            Some(row) => span_row(&session, row, &cx),
            None => html! {},
        })
    };
    let onpointerdown = {
        let (drag, dragged) = (drag.clone(), dragged.clone());
        Callback::from(move |e: PointerEvent| {
            *dragged.borrow_mut() = false;
            let column = e
                .target_dyn_into::<Element>()
                .and_then(|target| target.closest(ZOOM_SURFACE).ok().flatten());
            // Bars are placed in the column's padding box: inside its border.
            *drag.borrow_mut() = column.filter(|_| e.button() == 0).map(|column| {
                let rect = column.get_bounding_client_rect();
                Drag {
                    left: rect.x() + f64::from(column.client_left()),
                    width: f64::from(column.client_width()),
                    column,
                    pointer_id: e.pointer_id(),
                    from_x: f64::from(e.client_x()),
                    view,
                    dragging: false,
                }
            });
        })
    };
    let onpointermove = {
        let (drag, band) = (drag.clone(), band.clone());
        Callback::from(move |e: PointerEvent| {
            let mut slot = drag.borrow_mut();
            let Some(d) = slot.as_mut() else {
                return;
            };
            if e.buttons() & 1 == 0 {
                // Released where we could not see it (before any capture).
                *slot = None;
                drop(slot);
                band.set(None);
                return;
            }
            let x = f64::from(e.client_x());
            if !d.dragging && waterfall::is_drag(d.from_x, x) {
                d.dragging = true;
                // Moves and the release outside the column still come here.
                let _ = d.column.set_pointer_capture(d.pointer_id);
            }
            if d.dragging {
                let shown = waterfall::band(
                    waterfall::fraction_at(d.from_x, d.left, d.width),
                    waterfall::fraction_at(x, d.left, d.width),
                );
                drop(slot);
                band.set(Some(shown));
            }
        })
    };
    let onpointerup = {
        let (drag, band, dragged, set_zoom) = (
            drag.clone(),
            band.clone(),
            dragged.clone(),
            set_zoom.clone(),
        );
        Callback::from(move |e: PointerEvent| {
            let Some(d) = drag.borrow_mut().take() else {
                return;
            };
            band.set(None);
            if d.dragging {
                *dragged.borrow_mut() = true;
                let from = waterfall::fraction_at(d.from_x, d.left, d.width);
                let to = waterfall::fraction_at(f64::from(e.client_x()), d.left, d.width);
                set_zoom.emit(d.view.select(from, to, trace_nanos));
            }
        })
    };
    let onpointercancel = {
        let (drag, band) = (drag.clone(), band.clone());
        Callback::from(move |_: PointerEvent| {
            drag.borrow_mut().take();
            band.set(None);
        })
    };
    let max_ticks = match *axis_px {
        px if px > 0 => waterfall::ticks_for_width(f64::from(px)),
        _ => waterfall::MAX_TICKS,
    };
    let axis = waterfall::axis_fitting(view, max_ticks);
    let ticks = axis.ticks.iter().map(|tick| {
        let label = display::axis_time(tick.nanos, axis.step_nanos);
        let style = format!("left:{:.4}%", tick.pct);
        let align = match tick.align {
            TickAlign::Start => Some("start"),
            TickAlign::Center => None,
            TickAlign::End => Some("end"),
        };
        let minor = (!tick.major).then_some("minor");
        html! { <span class={classes!("tick", align, minor)} ~style={style}>{ label }</span> }
    });
    html! {
        <section class={classes!("trace-view", (!header.timed).then_some("untimed"))} data-testid="trace-view" {onpointerdown} {onpointermove} {onpointerup} {onpointercancel}>
            <header class="trace-header">
                <h2 title={display::label(root_name)}>
                    <span class={classes!("status-icon", outcome_classes(header.outcome).1)} title={outcome_icon(header.outcome).1}>{ outcome_icon(header.outcome).0 }</span>
                    { display::label(root_name) }
                </h2>
                <span>{ display::timestamp(t.start_nanos) }</span>
                <span>{ if header.timed { display::duration(t.duration_nanos()) } else { format!("duration {}", display::NOT_RECORDED) } }</span>
                <span>{ display::plural(u64::from(t.spans), "span", "spans") }</span>
                <span>{ display::plural(u64::from(t.lm_calls), "LM call", "LM calls") }</span>
                if t.lm_calls > 0 || header.total_tokens().is_some() {
                    <span data-testid="trace-tokens" title="input + output tokens of the LM calls (or of the trace, when only the trace reports usage)">
                        { match header.total_tokens() {
                            Some(n) => display::tokens(n),
                            None => format!("tokens {}", display::NOT_RECORDED),
                        } }
                    </span>
                }
                if let Some((usd, source)) = header.cost() {
                    <span data-testid="trace-cost">{ display::cost_with_source(usd, source) }</span>
                }
                { for header.scores.iter().map(score_badge) }
                { for header.tags.iter().map(|tag| html! { <span class="tag" data-testid="trace-tag">{ display::label(tag) }</span> }) }
            </header>
            if let Some(error) = &header.error {
                <div class={classes!("trace-error", (header.outcome != crate::index::Outcome::Failed).then_some("recovered"))} data-testid="trace-error">
                    <span class="trace-error-what">
                        if header.outcome != crate::index::Outcome::Failed {
                            <span class="muted">{ "Recovered from " }</span>
                        }
                        <strong title={error.exception_type.clone().unwrap_or_default()}>
                            { error.exception_type.as_deref().map(display::exception_class).unwrap_or("Error") }
                        </strong>
                        { ": " }{ display::label(&error.message) }
                    </span>
                    <span class="trace-error-where muted">
                        if let Some(step) = &error.step { { "in " }<span class="step-label">{ display::label(step) }</span>{ " · " } }
                        { format!("raised in {}", display::label(&error.raised_in)) }
                        if header.error_spans > 1 { { format!(" · {} error spans", header.error_spans) } }
                    </span>
                    <button class="small" data-testid="jump-to-error" onclick={{
                        let (select, span) = (props.on_select.clone(), error.span);
                        Callback::from(move |_: MouseEvent| select.emit(span))
                    }}>{ "Show span" }</button>
                </div>
            }
            if header.timed {
            <details class="breakdown" open=true data-testid="breakdown">
                <summary>
                    { "Where the time went" }
                    <label class="critical-toggle" onclick={Callback::from(|e: MouseEvent| e.stop_propagation())}>
                        <input type="checkbox" checked={*show_critical} onchange={{
                            let show = show_critical.clone();
                            Callback::from(move |_: Event| show.set(!*show))
                        }} />
                        { " highlight critical path" }
                    </label>
                </summary>
                <table class="breakdown-table">
                    { for breakdown.by_step.iter().take(6).map(|row| html! {
                        <tr data-testid="breakdown-row">
                            <td class="name" title={display::label(&row.label)}>{ display::label(&row.label) }</td>
                            <td class="num">{ display::duration(row.self_nanos) }</td>
                            <td class="share"><span class="share-bar" ~style={format!("width:{:.1}%", row.share * 100.0)} /></td>
                            <td class="num">{ display::percent(row.share) }</td>
                            <td class="num muted">{ display::plural(row.units, "call", "calls") }</td>
                        </tr>
                    }) }
                </table>
            </details>
            }
            if let Some(window) = zoomed {
                <div class="zoom-bar" data-testid="zoom-bar">
                    <span class="zoom-window" data-testid="zoom-window">
                        { display::time_window(window.start_nanos, window.end_nanos, trace_nanos) }
                    </span>
                    <button class="zoom-reset" data-testid="zoom-reset" onclick={set_zoom.reform(|_: MouseEvent| None)}>
                        { "Reset zoom" }
                    </button>
                </div>
            }
            <div class="span-grid-head">
                <span class="tree-col">{ "Span" }</span>
                <span ref={axis_ref} class={classes!("bar-col", "axis", zoomed.is_some().then_some("zoomed"))} data-testid="waterfall-axis"
                    title="Drag to zoom into a time window; double-click a bar to zoom to its span">
                    { for ticks }
                    { zoom_band(*band) }
                </span>
            </div>
            <VirtualRows row_count={rows.len()} row_height={ROW_HEIGHT} {render} {keep_visible} class="span-rows" testid="span-tree" />
        </section>
    }
}

/// The selection band of a drag in progress, if any.
fn zoom_band(band: Option<Band>) -> Html {
    match band {
        Some(b) => {
            let style = format!("left:{:.4}%;width:{:.4}%", b.left_pct, b.width_pct);
            html! { <span class="zoom-band" data-testid="zoom-band" ~style={style} /> }
        }
        None => html! {},
    }
}

fn span_row(session: &Session, row: &TreeRow, cx: &RowContext) -> Html {
    let store = &session.store;
    let i = row.span.index();
    let s = &store.spans;
    let kind = s.kind[i];
    let is_error = s.status[i] == StatusCode::Error;
    let name = display::label(store.str(s.name[i]));
    let span = row.span;
    let selected = cx.selected == Some(span);
    let on_path = cx.critical.as_ref().is_some_and(|c| c.contains(&span.0));
    let onclick = cx.on_select.reform(move |_: MouseEvent| span);
    let toggle = cx.on_toggle.reform(move |e: MouseEvent| {
        e.stop_propagation();
        span
    });
    let times = (row.start_since_trace_nanos, row.end_since_trace_nanos);
    let ondblclick = cx.on_zoom.reform(move |_: MouseEvent| times);
    let indent = format!("padding-left:{}px", 6 + row.depth * 14);
    let bar = waterfall::bar(cx.view, times.0, times.1);
    let bar_style = format!(
        "left:{:.4}%;width:max({:.4}%, 2px)",
        bar.left_pct, bar.width_pct
    );
    let bar_classes = classes!(
        "bar",
        bar.clipped_start.then_some("clip-start"),
        bar.clipped_end.then_some("clip-end"),
        match bar.placement {
            Placement::Inside => None,
            Placement::Before => Some("off-window off-before"),
            Placement::After => Some("off-window off-after"),
        }
    );
    let bar_title = match bar.placement {
        Placement::Inside => None,
        Placement::Before => Some("Before the zoomed window"),
        Placement::After => Some("After the zoomed window"),
    };
    let (label_style, label_class) = match bar.label {
        LabelAnchor::After { left_pct } => (format!("left:calc({left_pct:.4}% + 4px)"), "after"),
        LabelAnchor::Before { right_pct } => {
            (format!("right:calc({right_pct:.4}% + 4px)"), "before")
        }
        LabelAnchor::Inside { right_pct } => {
            (format!("right:calc({right_pct:.4}% + 4px)"), "inside")
        }
    };
    let classes = classes!(
        "span-row",
        kind_class(kind),
        selected.then_some("selected"),
        is_error.then_some("error"),
        s.is_lm_call[i].then_some("lm-call"),
        on_path.then_some("critical")
    );
    html! {
        <div class={classes} data-testid="span-row" data-span-id={store.id(s.span_id[i]).to_string()} data-kind={kind.as_str()} {onclick}>
            <span class="tree-col" ~style={indent} title={name.clone()}>
                if row.child_count > 0 {
                    <button class="twisty" onclick={toggle} aria-label={if row.collapsed { "Expand" } else { "Collapse" }}>
                        { if row.collapsed { "▸" } else { "▾" } }
                    </button>
                } else {
                    <span class="twisty-space" />
                }
                <span class="kind-icon" title={kind.as_str()}>{ kind_icon(kind) }</span>
                <span class="span-name">{ name }</span>
                if let Some(sig) = cx.signatures.get(&span.0) {
                    <span class="span-sig" data-testid="span-signature">{ sig.clone() }</span>
                }
                if is_error {
                    <span class="error-mark" title="error">{ "!" }</span>
                }
                if row.collapsed {
                    <span class="hidden-count">{ format!("+{}", row.child_count) }</span>
                }
            </span>
            <span class="bar-col" {ondblclick}>
                <span class={bar_classes} ~style={bar_style} title={bar_title} />
                <span class={classes!("bar-label", label_class)} ~style={label_style}>{ display::duration_if_timed(s.end_nanos[i] - s.start_nanos[i], cx.timed) }</span>
                { zoom_band(cx.band) }
            </span>
        </div>
    }
}
