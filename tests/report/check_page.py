#!/usr/bin/env python3
"""Open a `tally report` page the way a person would, in headless Chromium
with networking off, and print what was seen as one JSON object.

    python3 check_page.py PAGE.html SCREENSHOT.png

Every request other than the page itself is refused and recorded, as are
console messages of type error and failed loads. Each chart (`svg.chart`)
is measured as laid out. A full-page screenshot is saved. Needs the
`playwright` package and Debian's `chromium` (no browser is downloaded);
exits 3 when either is missing, naming it.
"""

import json
import pathlib
import shutil
import sys


def missing(what):
    sys.stderr.write(f"{what} is not installed; run `bash scripts/test` to install it\n")
    sys.exit(3)


def main():
    page_path, screenshot = pathlib.Path(sys.argv[1]).resolve(), sys.argv[2]
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        missing("the playwright Python package")
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if not chromium:
        missing("Chromium (Debian's chromium package)")
    url = page_path.as_uri()
    seen = {"console_errors": [], "failed": [], "refused": []}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        context = browser.new_context(offline=True, viewport={"width": 1100, "height": 900})

        def route(r):
            if r.request.url == url:
                r.continue_()
            else:
                seen["refused"].append(r.request.url)
                r.abort()

        context.route("**/*", route)
        page = context.new_page()
        page.on("console", lambda m: m.type == "error" and seen["console_errors"].append(m.text))
        page.on("pageerror", lambda e: seen["console_errors"].append(str(e)))
        page.on("requestfailed", lambda r: seen["failed"].append(r.url))
        page.goto(url, wait_until="load")
        seen["title"] = page.title()
        seen["scripts"] = page.locator("script").count()
        seen["charts"] = page.evaluate(
            """() => [...document.querySelectorAll('svg.chart')].map(svg => {
                const box = svg.getBoundingClientRect();
                return {title: svg.querySelector('title')?.textContent ?? '',
                        shapes: svg.querySelectorAll('rect, polyline, line').length,
                        width: box.width, height: box.height};
            })"""
        )
        seen["headings"] = page.locator("h2").all_inner_texts()
        page.screenshot(path=screenshot, full_page=True)
        browser.close()
    print(json.dumps(seen))


if __name__ == "__main__":
    main()
