//! The import report: per file the detected format, counts, and every
//! warning or error with where in the file it happened.

use crate::display;
use crate::load::Session;
use std::rc::Rc;
use yew::prelude::*;

#[derive(Properties)]
pub struct ReportViewProps {
    pub session: Rc<Session>,
}

impl PartialEq for ReportViewProps {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.session, &other.session)
    }
}

#[component]
pub fn ReportView(props: &ReportViewProps) -> Html {
    let report = &props.session.report;
    let files = report.files.iter().map(|file| {
        let warnings: Vec<Html> = file
            .source
            .map(|source| {
                report
                    .warnings
                    .for_source(source)
                    .map(|(kind, group)| {
                        html! {
                            <li>
                                <strong>{ format!("{} ×{}", kind.label(), group.count) }</strong>
                                <ul>
                                    { for group.examples.iter().map(|(at, message)| html! {
                                        <li>
                                            if let Some(at) = at { <span class="muted">{ format!("{at}: ") }</span> }
                                            { message.clone() }
                                        </li>
                                    }) }
                                    if group.count > group.examples.len() as u64 {
                                        <li class="muted">{ format!("… and {} more", group.count - group.examples.len() as u64) }</li>
                                    }
                                </ul>
                            </li>
                        }
                    })
                    .collect()
            })
            .unwrap_or_default();
        html! {
            <section class={classes!("report-file", file.error.is_some().then_some("failed"))} data-testid="report-file">
                <h3>{ file.name.clone() }</h3>
                <p class="muted">
                    { display::bytes(file.bytes) }{ " · " }
                    { file.format.unwrap_or("format not recognised") }
                </p>
                if let Some(error) = &file.error {
                    <div class="error-box">{ error.clone() }</div>
                    if !file.tried.is_empty() {
                        <table class="kv" data-testid="formats-tried">
                            { for file.tried.iter().map(|r| html! { <tr><th>{ r.format }</th><td>{ r.reason.clone() }</td></tr> }) }
                        </table>
                    }
                } else {
                    <p>{ display::summary_line(&file.counts, file.failed_traces) }</p>
                }
                if warnings.is_empty() && file.error.is_none() {
                    <p class="muted">{ "No warnings." }</p>
                } else {
                    <ul class="warnings">{ for warnings }</ul>
                }
            </section>
        }
    });
    html! {
        <div class="report-view" data-testid="import-report">
            <h2>{ "Import report" }</h2>
            <p class="muted">
                { display::plural(report.files.len() as u64, "file", "files") }{ " · " }
                { display::plural(report.warnings.total(), "warning", "warnings") }
            </p>
            { for files }
        </div>
    }
}
