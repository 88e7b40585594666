"""Our Markdown extensions: table cells carry their column's heading (table_labels), a checkbox
stays with its word, a text with thousands of marks is kept as written (safe_markdown)."""

from __future__ import annotations

import markdown

EXTENSIONS = ["tables", "attr_list", "md_in_html", "handbook_gen.site.table_labels"]


def cells(source: str) -> list[str | None]:
    html = markdown.markdown(source, extensions=EXTENSIONS)
    from xml.etree import ElementTree

    root = ElementTree.fromstring(f"<root>{html}</root>")
    return [cell.get("data-label") for cell in root.iter("td")]


def test_cells_carry_their_columns_visible_heading():
    source = "| Tijd **vanaf** | Wat `kort` | <span class=\"x\">Wie</span> |\n| --- | --- | --- |\n| 08:00 | a | b |\n"
    assert cells(source) == ["Tijd vanaf", "Wat kort", "Wie"]


def test_a_heading_for_screen_readers_only_gives_no_label():
    source = ("| Gegevens | <span class=\"lts-visually-hidden\">Waarde</span> |\n| --- | --- |\n"
              "| Wanneer | *dinsdag* |\n")
    assert cells(source) == ["Gegevens", None]


def test_tables_inside_forms_too():
    source = '<div class="lts-form" markdown>\n\n| A | B |\n| --- | --- |\n| 1 | 2 |\n\n</div>\n'
    assert cells(source) == ["A", "B"]


def test_a_checkbox_stays_with_its_word():
    html = markdown.markdown("| a | b |\n| --- | --- |\n| x | ☐ ja ☐ deels ☐ nee |\n\n☐ Anders:\n",
                             extensions=["tables", "handbook_gen.site.checkboxes"])
    assert "☐ " not in html
    assert html.count("☐&nbsp;") == 4


def test_markup_works_up_to_the_limit_and_a_text_beyond_it_is_kept_as_written():
    from handbook_gen.site.safe_markdown import MARKS_PER_TEXT

    extensions = ["tables", "handbook_gen.site.safe_markdown"]
    below = "*a* & " * (MARKS_PER_TEXT // 3)  # three marks each
    html = markdown.markdown(below + "\n\n| x |\n| - |\n| " + "*b* " * MARKS_PER_TEXT + "|\n", extensions=extensions)
    assert html.count("<em>a</em> &amp; ") == MARKS_PER_TEXT // 3
    assert "<td>*b* *b* " in html  # one cell beyond the limit; the paragraph before it is not
    beyond = markdown.markdown("x &lt; y " + "*a* " * MARKS_PER_TEXT, extensions=extensions)
    assert beyond.startswith("<p>x &lt; y *a* *a* ") and "<em>" not in beyond
