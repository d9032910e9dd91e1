using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Globalization;
using System.Text;

namespace Interpreter.Api.Operations;

/// <summary>
/// Listens to this service's meters (<c>ComputeSandbox.*</c>) and renders them in the Prometheus text
/// exposition format: counters as <c>_total</c>, histograms with cumulative buckets, gauges as last values.
/// Stands in for prometheus-net / OpenTelemetry, which this environment's package source lacks.
/// </summary>
internal sealed class PrometheusExporter : IDisposable
{
    private static readonly double[] SecondsBuckets = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300];
    private static readonly double[] DefaultBuckets = [1, 5, 10, 50, 100, 500, 1000, 5000, 10000];

    private readonly MeterListener _listener = new();
    private readonly ConcurrentDictionary<Instrument, Series> _series = new();
    private readonly Lock _scrapeLock = new();

    public PrometheusExporter(IMeterFactory meterFactory)
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            // Only this application's meters: a process may host more than one (tests do).
            if (instrument.Meter.Name.StartsWith("ComputeSandbox", StringComparison.Ordinal)
                && ReferenceEquals(instrument.Meter.Scope, meterFactory))
            {
                _series.TryAdd(instrument, new Series(instrument));
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((i, v, tags, _) => Record(i, v, tags));
        _listener.SetMeasurementEventCallback<int>((i, v, tags, _) => Record(i, v, tags));
        _listener.SetMeasurementEventCallback<double>((i, v, tags, _) => Record(i, v, tags));
        _listener.Start();
    }

    /// <summary>The current values in Prometheus text format 0.0.4.</summary>
    public string Scrape()
    {
        lock (_scrapeLock)
        {
            _listener.RecordObservableInstruments();
            var text = new StringBuilder();
            foreach (var series in _series.Values.OrderBy(s => s.Name, StringComparer.Ordinal))
            {
                series.WriteTo(text);
            }

            return text.ToString();
        }
    }

    public void Dispose() => _listener.Dispose();

    private void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        if (_series.TryGetValue(instrument, out var series))
        {
            series.Record(value, Labels(tags));
        }
    }

    private static string Labels(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        if (tags.Length == 0)
        {
            return "";
        }

        var pairs = new List<string>(tags.Length);
        foreach (var tag in tags)
        {
            var value = Convert.ToString(tag.Value, CultureInfo.InvariantCulture) ?? "";
            pairs.Add($"{Sanitize(tag.Key)}=\"{value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal)}\"");
        }

        pairs.Sort(StringComparer.Ordinal);
        return string.Join(",", pairs);
    }

    private static string Sanitize(string name) =>
        new(name.Select(c => char.IsAsciiLetterOrDigit(c) || c == '_' ? c : '_').ToArray());

    private static string Format(double value) =>
        double.IsPositiveInfinity(value) ? "+Inf" : value.ToString("R", CultureInfo.InvariantCulture);

    private sealed class Series
    {
        private readonly string _kind;
        private readonly string _help;
        private readonly double[] _buckets;
        private readonly ConcurrentDictionary<string, Cell> _cells = new(StringComparer.Ordinal);

        public Series(Instrument instrument)
        {
            var baseName = Sanitize(instrument.Name);
            var unitSuffix = instrument.Unit switch
            {
                "s" => "_seconds",
                "By" => "_bytes",
                _ => "",
            };
            if (baseName.EndsWith(unitSuffix, StringComparison.Ordinal))
            {
                // "files.stored.bytes" in By: the name already says its unit.
                unitSuffix = "";
            }
            (_kind, Name) = instrument switch
            {
                Counter<long> or Counter<int> or Counter<double> or ObservableCounter<long> or ObservableCounter<int> or ObservableCounter<double>
                    => ("counter", baseName + unitSuffix + "_total"),
                Histogram<long> or Histogram<int> or Histogram<double> => ("histogram", baseName + unitSuffix),
                _ => ("gauge", baseName + unitSuffix),
            };
            _help = (instrument.Description ?? instrument.Name).Replace("\n", " ", StringComparison.Ordinal);
            _buckets = instrument.Unit == "s" ? SecondsBuckets : DefaultBuckets;
            IsObservable = instrument.IsObservable;
            IsUpDown = instrument is UpDownCounter<long> or UpDownCounter<int> or UpDownCounter<double>;
        }

        public string Name { get; }

        private bool IsObservable { get; }

        private bool IsUpDown { get; }

        public void Record(double value, string labels)
        {
            var cell = _cells.GetOrAdd(labels, _ => new Cell(_buckets.Length));
            lock (cell)
            {
                if (_kind == "histogram")
                {
                    cell.Count++;
                    cell.Sum += value;
                    for (var i = 0; i < _buckets.Length; i++)
                    {
                        if (value <= _buckets[i])
                        {
                            cell.Buckets[i]++;
                        }
                    }
                }
                else if (IsObservable || (_kind == "gauge" && !IsUpDown))
                {
                    cell.Sum = value;
                }
                else
                {
                    cell.Sum += value;
                }
            }
        }

        public void WriteTo(StringBuilder text)
        {
            text.Append("# HELP ").Append(Name).Append(' ').Append(_help).Append('\n');
            text.Append("# TYPE ").Append(Name).Append(' ').Append(_kind).Append('\n');
            foreach (var (labels, cell) in _cells.OrderBy(c => c.Key, StringComparer.Ordinal))
            {
                lock (cell)
                {
                    if (_kind != "histogram")
                    {
                        text.Append(Name).Append(Braces(labels)).Append(' ').Append(Format(cell.Sum)).Append('\n');
                        continue;
                    }

                    for (var i = 0; i < _buckets.Length; i++)
                    {
                        text.Append(Name).Append("_bucket").Append(Braces(Join(labels, $"le=\"{Format(_buckets[i])}\"")))
                            .Append(' ').Append(cell.Buckets[i].ToString(CultureInfo.InvariantCulture)).Append('\n');
                    }

                    text.Append(Name).Append("_bucket").Append(Braces(Join(labels, "le=\"+Inf\""))).Append(' ')
                        .Append(cell.Count.ToString(CultureInfo.InvariantCulture)).Append('\n');
                    text.Append(Name).Append("_sum").Append(Braces(labels)).Append(' ').Append(Format(cell.Sum)).Append('\n');
                    text.Append(Name).Append("_count").Append(Braces(labels)).Append(' ')
                        .Append(cell.Count.ToString(CultureInfo.InvariantCulture)).Append('\n');
                }
            }
        }

        private static string Join(string labels, string extra) => labels.Length == 0 ? extra : labels + "," + extra;

        private static string Braces(string labels) => labels.Length == 0 ? "" : "{" + labels + "}";
    }

    private sealed class Cell(int buckets)
    {
        public double Sum;
        public long Count;
        public readonly long[] Buckets = new long[buckets];
    }
}
