"""The server-side SVG charts: geometry, labels and the numbers as text."""

from interviews.charts import funnel_chart, histogram_chart, number_label
from interviews.selectors import HistogramBin


def test_the_tallest_bin_fills_the_plot_and_an_empty_bin_has_no_height() -> None:
    chart = histogram_chart(
        [HistogramBin(1.0, 2.0, 4), HistogramBin(2.0, 3.0, 0), HistogramBin(3.0, 4.0, 2)],
        width=300,
        height=150,
    )
    tallest, empty, half = chart.bars
    assert tallest.y == 20 and tallest.height == chart.baseline - 20
    assert empty.height == 0
    assert half.height == tallest.height / 2
    assert tallest.x < empty.x < half.x
    assert half.x + half.width <= 300


def test_the_histogram_labels_its_bins_from_the_datas_own_range() -> None:
    chart = histogram_chart([HistogramBin(1.8, 4.165, 3), HistogramBin(4.165, 6.53, 1)])
    assert [bar.label for bar in chart.bars] == ["1.8 to 4.17", "4.17 to 6.53"]
    assert [tick.label for tick in chart.ticks] == ["1.8", "4.17", "6.53"]
    assert chart.total == 4
    assert "1.8 to 4.17: 3" in chart.description and "4.17 to 6.53: 1" in chart.description


def test_a_single_bin_histogram_has_two_ticks() -> None:
    chart = histogram_chart([HistogramBin(5.0, 5.0, 7)])
    assert [tick.label for tick in chart.ticks] == ["5", "5"]
    assert chart.bars[0].count == 7


def test_the_funnel_scales_bars_to_the_largest_count_and_keeps_a_sliver_for_zero() -> None:
    chart = funnel_chart(
        [("collected", "Collected", 10), ("submitted", "Submitted", 40), ("failed", "Failed", 0)]
    )
    collected, submitted, failed = chart.rows
    assert submitted.bar_width == 4 * collected.bar_width
    assert failed.bar_width == 2.0
    assert submitted.fill != failed.fill
    assert chart.height == 3 * 30
    assert "Submitted: 40" in chart.description


def test_charts_of_nothing_do_not_divide_by_zero() -> None:
    assert histogram_chart([]).bars == []
    assert funnel_chart([("failed", "Failed", 0)]).rows[0].bar_width == 2.0


def test_number_labels_trim_trailing_zeros() -> None:
    assert [number_label(v) for v in (5.0, 5.10, 4.212, -0.001)] == ["5", "5.1", "4.21", "0"]
