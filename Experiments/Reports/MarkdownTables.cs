using System.Collections.Immutable;

namespace ByzantineSim.Experiments.Reports;

/// <summary>A block of a markdown file: a paragraph (no header) or a pipe table.</summary>
/// <param name="Text">Paragraph text (empty for a table).</param>
/// <param name="Header">Table header cells (empty for a paragraph).</param>
/// <param name="Rows">Table rows.</param>
public sealed record MarkdownBlock(string Text, ImmutableArray<string> Header, ImmutableArray<ImmutableArray<string>> Rows);

/// <summary>
/// Splits the markdown that <c>byzsim robustness --markdown</c> writes into paragraphs and pipe
/// tables, enough to show it in a report; inline markup is kept as plain text.
/// </summary>
public static class MarkdownTables
{
    /// <summary>The blocks of <paramref name="markdown"/>, in order.</summary>
    public static ImmutableArray<MarkdownBlock> Parse(string markdown)
    {
        var blocks = ImmutableArray.CreateBuilder<MarkdownBlock>();
        var paragraph = new List<string>();
        var table = new List<ImmutableArray<string>>();

        void Flush()
        {
            if (paragraph.Count > 0)
            {
                blocks.Add(new MarkdownBlock(string.Join(' ', paragraph), [], []));
                paragraph.Clear();
            }

            if (table.Count > 0)
            {
                blocks.Add(new MarkdownBlock("", table[0], [.. table.Skip(1)]));
                table.Clear();
            }
        }

        foreach (string raw in markdown.ReplaceLineEndings("\n").Split('\n'))
        {
            string line = raw.Trim();
            if (line.StartsWith('|'))
            {
                if (paragraph.Count > 0)
                {
                    Flush();
                }

                var cells = line.Trim('|').Split('|').Select(c => c.Trim()).ToImmutableArray();
                // The separator row (|---|:---:|) carries no data.
                if (!cells.All(c => c.Length > 0 && c.All(ch => ch is '-' or ':')))
                {
                    table.Add(cells);
                }
            }
            else if (line.Length == 0 || line.StartsWith('#'))
            {
                Flush();
                if (line.StartsWith('#'))
                {
                    paragraph.Add(line.TrimStart('#').Trim());
                    Flush();
                }
            }
            else
            {
                if (table.Count > 0)
                {
                    Flush();
                }

                paragraph.Add(line);
            }
        }

        Flush();
        return blocks.ToImmutable();
    }
}
