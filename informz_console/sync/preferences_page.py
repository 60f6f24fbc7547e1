"""The preference form's HTML: plain, escaped, no script, one stylesheet inline.

The page always says whose preferences it changes (name and masked email), because a
forwarded mailing carries the original subscriber's link (seed 004).
"""

from __future__ import annotations

from html import escape

from informz_console.sync.preferences import PATH, PreferenceForm

STYLE = """
body { font: 15px/1.45 system-ui, sans-serif; color: #1d2430; background: #f4f6f9; margin: 0; }
main { max-width: 34rem; margin: 3rem auto; background: #fff; padding: 2rem 2.25rem;
       border: 1px solid #d8dde6; border-radius: 6px; }
h1 { font-size: 1.3rem; margin: 0 0 .25rem; }
.who { color: #4a5568; margin: 0 0 1.25rem; }
.warn { background: #fff7e0; border: 1px solid #e8c767; padding: .6rem .8rem; border-radius: 4px; }
.ok { background: #e9f7ee; border: 1px solid #7cc49a; padding: .6rem .8rem; border-radius: 4px; }
fieldset { border: 0; padding: 0; margin: 1rem 0; }
label { display: block; padding: .35rem 0; }
label.off { color: #8a94a6; }
button { font: inherit; padding: .45rem 1.2rem; border-radius: 4px; border: 1px solid #2b6cb0;
         background: #2b6cb0; color: #fff; cursor: pointer; }
"""


def page(title: str, body: str) -> bytes:
    html = (f'<!doctype html><html lang="en"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{escape(title)}</title><style>{STYLE}</style></head>"
            f"<body><main>{body}</main></body></html>")  # fmt: skip
    return html.encode("utf-8")


def message_page(title: str, sentence: str) -> bytes:
    return page(title, f"<h1>{escape(title)}</h1><p>{escape(sentence)}</p>")


def _box(key: str, label: str, checked: bool | None) -> str:
    ticked = " checked" if checked else ""
    if checked is None:
        return (f'<label class="off"><input type="checkbox" name="interest" '
                f'value="{escape(key)}" disabled> {escape(label)}</label>')  # fmt: skip
    return (f'<label><input type="checkbox" name="interest" value="{escape(key)}"{ticked}> '
            f"{escape(label)}</label>")  # fmt: skip


def form_page(form: PreferenceForm, token: str, notice: str | None = None) -> bytes:
    who = f"{form.name} ({form.masked_email})"
    parts = [
        f"<h1>Email preferences of {escape(form.name)}</h1>",
        f'<p class="who">You are changing the preferences of <strong>{escape(who)}</strong>. '
        f"If that is not you (this email may have been forwarded), close this page: changes "
        f"here change that person's preferences.</p>",
    ]
    if notice:
        parts.append(f'<p class="ok">{escape(notice)}</p>')
    for table in form.missing_tables:
        parts.append(f'<p class="warn">iMIS has no {escape(table)} row for this subscriber, so '
                     f"those choices cannot be changed; iMIS only updates such rows, it never "
                     f"creates them.</p>")  # fmt: skip
    boxes = "".join(_box(i.key, i.label, i.checked) for i in form.interests)
    parts.append(
        f'<form method="post" action="{PATH}"><input type="hidden" name="t" '
        f'value="{escape(token)}"><fieldset><legend>Send me email about:</legend>{boxes}'
        f"</fieldset><button type=\"submit\">Save my preferences</button></form>"
    )
    return page(f"Email preferences of {form.name}", "".join(parts))
