"""Reports: plotly figures and self-contained HTML pages that open offline."""

from coopgov.report.figures import city_map_figure
from coopgov.report.html import html_page, write_run_report

__all__ = ["city_map_figure", "html_page", "write_run_report"]
