//! The report's charts, as inline SVG built with maud (labels escaped):
//! horizontal bars for named quantities, columns for a histogram, and a
//! curve on the unit square. No script and no external file: a chart is
//! drawn by the browser from the page alone, on screen and in print.

use maud::{html, Markup};

/// Width of every chart, in SVG units (it scales to the page).
const WIDTH: f64 = 640.0;
const BAR: f64 = 22.0;
const LABEL: f64 = 220.0;

/// One bar per item: label, a bar proportional to the value, the value
/// as text (`shown`).
pub fn bars(title: &str, items: &[(String, f64)], shown: impl Fn(f64) -> String) -> Markup {
    let top = items.iter().map(|i| i.1.abs()).fold(0.0, f64::max);
    let height = BAR * items.len().max(1) as f64 + 8.0;
    let room = WIDTH - LABEL - 70.0;
    html! {
        svg.chart role="img" viewBox=(format!("0 0 {WIDTH} {height}")) width="100%"
            xmlns="http://www.w3.org/2000/svg" {
            title { (title) }
            @for (i, (label, value)) in items.iter().enumerate() {
                @let y = 4.0 + i as f64 * BAR;
                @let length = if top > 0.0 { room * value.abs() / top } else { 0.0 };
                text x=(LABEL - 8.0) y=(y + 15.0) text-anchor="end" { (clip(label, 34)) }
                rect.bar.negative[*value < 0.0] x=(LABEL) y=(y + 3.0) width=(length.max(0.5))
                    height=(BAR - 6.0) {}
                text x=(LABEL + length + 6.0) y=(y + 15.0) { (shown(*value)) }
            }
        }
    }
}

/// Columns: a histogram or a table of rates, labelled underneath.
pub fn columns(title: &str, items: &[(String, f64)], shown: impl Fn(f64) -> String) -> Markup {
    let height = 220.0;
    let top = items.iter().map(|i| i.1).fold(0.0, f64::max);
    let slot = (WIDTH - 20.0) / items.len().max(1) as f64;
    let room = height - 60.0;
    html! {
        svg.chart role="img" viewBox=(format!("0 0 {WIDTH} {height}")) width="100%"
            xmlns="http://www.w3.org/2000/svg" {
            title { (title) }
            line.axis x1="10" x2=(WIDTH - 10.0) y1=(room + 20.0) y2=(room + 20.0) {}
            @for (i, (label, value)) in items.iter().enumerate() {
                @let x = 10.0 + i as f64 * slot;
                @let length = if top > 0.0 { room * value / top } else { 0.0 };
                rect.bar x=(x + 2.0) y=(room + 20.0 - length) width=((slot - 4.0).max(1.0))
                    height=(length.max(0.5)) {
                    title { (label) ": " (shown(*value)) }
                }
                @if items.len() <= 24 {
                    text.small x=(x + slot / 2.0) y=(room + 36.0) text-anchor="middle" {
                        (clip(label, 9))
                    }
                    text.small x=(x + slot / 2.0) y=(room + 16.0 - length) text-anchor="middle" {
                        (shown(*value))
                    }
                }
            }
        }
    }
}

/// A curve on the unit square (the ROC curve), with the diagonal.
pub fn curve(title: &str, points: &[(f64, f64)], x_label: &str, y_label: &str) -> Markup {
    let side = 300.0;
    let (left, top) = (50.0, 10.0);
    let path: Vec<String> = points
        .iter()
        .map(|(x, y)| format!("{:.2},{:.2}", left + x * side, top + (1.0 - y) * side))
        .collect();
    html! {
        svg.chart role="img" viewBox=(format!("0 0 {} {}", side + 70.0, side + 50.0))
            width="380" xmlns="http://www.w3.org/2000/svg" {
            title { (title) }
            rect.frame x=(left) y=(top) width=(side) height=(side) {}
            line.diagonal x1=(left) y1=(top + side) x2=(left + side) y2=(top) {}
            polyline.curve points=(path.join(" ")) {}
            text.small x=(left + side / 2.0) y=(top + side + 30.0) text-anchor="middle" { (x_label) }
            text.small x="14" y=(top + side / 2.0) text-anchor="middle"
                transform=(format!("rotate(-90 14 {})", top + side / 2.0)) { (y_label) }
            text.small x=(left) y=(top + side + 14.0) text-anchor="middle" { "0" }
            text.small x=(left + side) y=(top + side + 14.0) text-anchor="middle" { "1" }
            text.small x=(left - 6.0) y=(top + 4.0) text-anchor="end" { "1" }
        }
    }
}

/// At most `n` characters, with an ellipsis when cut.
fn clip(text: &str, n: usize) -> String {
    if text.chars().count() <= n {
        text.to_string()
    } else {
        let kept: String = text.chars().take(n - 1).collect();
        format!("{kept}…")
    }
}
