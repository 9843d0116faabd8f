using System.Collections.Immutable;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;

namespace ByzantineSim.Experiments.Reports;

/// <summary>A table cell: its text and an optional CSS class (<c>best</c>, <c>worst</c>, <c>num</c>, ...).</summary>
/// <param name="Text">Plain text, HTML-escaped on output.</param>
/// <param name="Class">CSS classes, or null.</param>
/// <param name="Note">Smaller second line, or null.</param>
public sealed record HtmlCell(string Text, string? Class = null, string? Note = null)
{
    /// <summary>A plain text cell.</summary>
    public static implicit operator HtmlCell(string text) => new(text);
}

/// <summary>
/// A self-contained, notebook-like HTML page: numbered sections listed in a table of contents,
/// prose, tables and interactive figures; plotly.js is inlined so the file opens offline.
/// Text is always escaped: labels come from user-written specs.
/// </summary>
public sealed class HtmlPage(string title, string subtitle)
{
    private readonly StringBuilder _body = new();
    private readonly List<(string Id, string Title)> _sections = [];
    private readonly List<Figure> _figures = [];

    /// <summary>The figures added, in page order.</summary>
    public IReadOnlyList<Figure> Figures => _figures;

    /// <summary>Starts a numbered section listed in the table of contents.</summary>
    public void Section(string id, string heading)
    {
        if (_sections.Count > 0)
        {
            _body.Append("</section>\n");
        }

        _sections.Add((id, heading));
        _body.Append(CultureInfo.InvariantCulture, $"<section id=\"{Encode(id)}\">\n<h2><span class=\"number\">{_sections.Count}</span>{Encode(heading)}</h2>\n");
    }

    /// <summary>A sub-heading inside the current section.</summary>
    public void Heading(string text) => _body.Append(CultureInfo.InvariantCulture, $"<h3>{Encode(text)}</h3>\n");

    /// <summary>A paragraph of plain text.</summary>
    public void Paragraph(string text) => _body.Append(CultureInfo.InvariantCulture, $"<p>{Encode(text)}</p>\n");

    /// <summary>A highlighted note (e.g. that results are partial).</summary>
    public void Callout(string text, string kind = "info") =>
        _body.Append(CultureInfo.InvariantCulture, $"<div class=\"callout {Encode(kind)}\">{Encode(text)}</div>\n");

    /// <summary>A bulleted list of plain-text items.</summary>
    public void Bullets(IEnumerable<string> items)
    {
        _body.Append("<ul>\n");
        foreach (string item in items)
        {
            _body.Append(CultureInfo.InvariantCulture, $"<li>{Encode(item)}</li>\n");
        }

        _body.Append("</ul>\n");
    }

    /// <summary>Preformatted text, e.g. a YAML spec, with an optional caption.</summary>
    public void Code(string text, string? caption = null) =>
        _body.Append(CultureInfo.InvariantCulture, $"<figure class=\"code\">{(caption is null ? "" : $"<figcaption>{Encode(caption)}</figcaption>")}<pre><code>{Encode(text)}</code></pre></figure>\n");

    /// <summary>Preformatted text folded under a summary line, for detail most readers skip.</summary>
    public void FoldedCode(string summary, string text) =>
        _body.Append(CultureInfo.InvariantCulture, $"<details><summary>{Encode(summary)}</summary><pre><code>{Encode(text)}</code></pre></details>\n");

    /// <summary>Several blocks of preformatted text side by side.</summary>
    public void CodeColumns(IEnumerable<(string Caption, string Text)> blocks)
    {
        _body.Append("<div class=\"columns\">\n");
        foreach (var (caption, text) in blocks)
        {
            Code(text, caption);
        }

        _body.Append("</div>\n");
    }

    /// <summary>A table; the first column is a row header.</summary>
    public void Table(IEnumerable<string> header, IEnumerable<IEnumerable<HtmlCell>> rows, string? caption = null)
    {
        _body.Append("<div class=\"table-wrap\"><table>\n");
        if (caption is not null)
        {
            _body.Append(CultureInfo.InvariantCulture, $"<caption>{Encode(caption)}</caption>\n");
        }

        _body.Append("<thead><tr>");
        foreach (string column in header)
        {
            _body.Append(CultureInfo.InvariantCulture, $"<th scope=\"col\">{Encode(column)}</th>");
        }

        _body.Append("</tr></thead>\n<tbody>\n");
        foreach (var row in rows)
        {
            _body.Append("<tr>");
            bool first = true;
            foreach (var cell in row)
            {
                string tag = first ? "th scope=\"row\"" : "td";
                string close = first ? "th" : "td";
                string classes = cell.Class is null ? "" : $" class=\"{Encode(cell.Class)}\"";
                string note = cell.Note is null ? "" : $"<span class=\"note\">{Encode(cell.Note)}</span>";
                _body.Append(CultureInfo.InvariantCulture, $"<{tag}{classes}>{Encode(cell.Text)}{note}</{close}>");
                first = false;
            }

            _body.Append("</tr>\n");
        }

        _body.Append("</tbody></table></div>\n");
    }

    /// <summary>An interactive figure, with a caption below it.</summary>
    public void Figure(Figure figure, string caption)
    {
        _figures.Add(figure);
        _body.Append(CultureInfo.InvariantCulture,
            $"<figure class=\"plot\"><div class=\"plot-area\" id=\"figure-{_figures.Count}\" data-figure=\"{Encode(figure.Id)}\" style=\"height:{PlotlyRenderer.Height(figure)}px\"></div>" +
            $"<figcaption><b>Figure {_figures.Count}.</b> {Encode(caption)}</figcaption></figure>\n");
    }

    /// <summary>A list of links to files relative to the page.</summary>
    public void Links(IEnumerable<(string Href, string Text)> links)
    {
        _body.Append("<ul class=\"files\">\n");
        foreach (var (href, text) in links)
        {
            _body.Append(CultureInfo.InvariantCulture, $"<li><a href=\"{Encode(href)}\">{Encode(text)}</a></li>\n");
        }

        _body.Append("</ul>\n");
    }

    /// <summary>The whole page.</summary>
    public string Render()
    {
        var page = new StringBuilder();
        page.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
        page.Append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
        page.Append(CultureInfo.InvariantCulture, $"<title>{Encode(title)}</title>\n<style>\n{Css}</style>\n");
        // The library goes in the head, before any figure needs it; "</script" cannot occur in its minified text.
        page.Append(CultureInfo.InvariantCulture, $"<script>\n{PlotlyRenderer.Script()}\n</script>\n</head>\n<body>\n");
        page.Append(CultureInfo.InvariantCulture, $"<header><h1>{Encode(title)}</h1><p class=\"subtitle\">{Encode(subtitle)}</p></header>\n");
        page.Append("<div class=\"layout\">\n<nav aria-label=\"Contents\"><h2>Contents</h2><ol>\n");
        foreach (var (id, heading) in _sections)
        {
            page.Append(CultureInfo.InvariantCulture, $"<li><a href=\"#{Encode(id)}\">{Encode(heading)}</a></li>\n");
        }

        page.Append("</ol></nav>\n<main>\n").Append(_body);
        if (_sections.Count > 0)
        {
            page.Append("</section>\n");
        }

        page.Append("</main>\n</div>\n");
        page.Append(CultureInfo.InvariantCulture,
            $"<footer>Generated by <code>byzsim report</code> · figures drawn with plotly.js {Encode(PlotlyRenderer.Version)}, embedded in this file; no network needed.</footer>\n");
        // The default encoder escapes <, > and &, so no figure text can close the script element.
        var figures = _figures.Select(f => PlotlyRenderer.Render(f)).ToList();
        page.Append("<script>\n(function () {\n  const figures = ");
        page.Append(JsonSerializer.Serialize(figures));
        page.Append(";\n");
        page.Append(FigureScript);
        return page.ToString();
    }

    private static string Encode(string text) => WebUtility.HtmlEncode(text);

    private const string FigureScript = """
          const config = { responsive: true, displaylogo: false, toImageButtonOptions: { format: 'svg' } };
          figures.forEach(function (figure, i) {
            Plotly.newPlot('figure-' + (i + 1), figure.data, figure.layout, config);
          });
        })();
        </script>
        </body>
        </html>

        """;

    private const string Css = """
        :root { --ink: #1f2933; --muted: #616e7c; --rule: #e4e7eb; --accent: #0072B2; --paper: #ffffff; --wash: #f5f7fa;
                --best: #d7ecf7; --worst: #fbe3d4; }
        * { box-sizing: border-box; }
        body { margin: 0; font: 15px/1.55 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
               color: var(--ink); background: var(--wash); }
        header { background: #102a43; color: #fff; padding: 28px 40px 22px; }
        header h1 { margin: 0; font-size: 26px; font-weight: 600; letter-spacing: 0.2px; }
        header .subtitle { margin: 6px 0 0; color: #bcccdc; }
        .layout { display: grid; grid-template-columns: 210px minmax(0, 1fr); gap: 24px; max-width: 1500px; margin: 0 auto; padding: 24px 28px; }
        nav { position: sticky; top: 16px; align-self: start; background: var(--paper); border: 1px solid var(--rule);
              border-radius: 8px; padding: 14px 18px; }
        nav h2 { font-size: 13px; text-transform: uppercase; letter-spacing: 0.8px; color: var(--muted); margin: 0 0 8px; }
        nav ol { margin: 0; padding-left: 20px; }
        nav li { margin: 4px 0; }
        nav a { color: var(--ink); text-decoration: none; }
        nav a:hover { color: var(--accent); text-decoration: underline; }
        main { min-width: 0; }
        section { background: var(--paper); border: 1px solid var(--rule); border-radius: 8px; padding: 8px 28px 22px; margin-bottom: 22px; }
        h2 { font-size: 20px; font-weight: 600; border-bottom: 1px solid var(--rule); padding-bottom: 8px; }
        h2 .number { display: inline-block; min-width: 30px; color: var(--accent); }
        h3 { font-size: 16px; font-weight: 600; margin: 22px 0 8px; }
        p, li { max-width: 78ch; }
        .callout { border-left: 4px solid var(--accent); background: #eef6fb; padding: 10px 14px; margin: 12px 0; border-radius: 4px; }
        .callout.warning { border-color: #D55E00; background: #fdf0e8; }
        .callout.danger { border-color: #c00000; background: #fde8e8; color: #900000; font-weight: 600; }
        details { margin: 12px 0; }
        summary { cursor: pointer; color: var(--accent); font-weight: 500; margin-bottom: 6px; }
        figure { margin: 16px 0; }
        figure.plot { border: 1px solid var(--rule); border-radius: 6px; padding: 6px; }
        figcaption { color: var(--muted); font-size: 13.5px; padding: 6px 8px 2px; }
        figure.code figcaption { padding: 0 0 4px; font-weight: 600; color: var(--ink); }
        pre { background: #f0f4f8; border: 1px solid var(--rule); border-radius: 6px; padding: 12px 14px; overflow: auto;
              font: 13px/1.45 ui-monospace, "SFMono-Regular", Menlo, Consolas, "DejaVu Sans Mono", monospace; max-height: 520px; margin: 0; }
        code { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, "DejaVu Sans Mono", monospace; font-size: 0.92em; }
        .columns { display: grid; grid-template-columns: repeat(auto-fit, minmax(320px, 1fr)); gap: 16px; }
        .table-wrap { overflow-x: auto; margin: 12px 0 18px; }
        table { border-collapse: collapse; font-size: 13.5px; font-variant-numeric: tabular-nums; }
        caption { text-align: left; font-weight: 600; padding: 4px 0 8px; }
        th, td { padding: 5px 10px; border-bottom: 1px solid var(--rule); text-align: right; white-space: nowrap; vertical-align: top; }
        thead th { background: #f0f4f8; border-bottom: 2px solid #bcccdc; text-align: right; font-weight: 600;
                   white-space: normal; max-width: 11em; vertical-align: bottom; }
        thead th:first-child, tbody th { text-align: left; font-weight: 500; }
        tbody tr:hover { background: #f7f9fb; }
        td.worst { background: var(--worst); font-weight: 600; }
        td.best { background: var(--best); font-weight: 600; }
        td.better { color: #00734d; font-weight: 600; }
        td.poorer { color: #b34700; font-weight: 600; }
        td.muted { color: var(--muted); }
        td.danger { color: #c00000; background: #fde8e8; font-weight: 700; }
        .note { display: block; color: var(--muted); font-size: 12px; font-weight: 400; }
        .legend-key { display: inline-block; padding: 0 6px; border-radius: 3px; }
        .legend-key.worst { background: var(--worst); }
        .legend-key.best { background: var(--best); }
        ul.files { columns: 2; font-size: 13.5px; }
        footer { text-align: center; color: var(--muted); font-size: 13px; padding: 8px 0 28px; }
        @media (max-width: 900px) { .layout { grid-template-columns: 1fr; } nav { position: static; } }
        @media print { nav { display: none; } .layout { display: block; } section { break-inside: avoid-page; } }

        """;
}
