"""Readers for NHS Digital / NHS England general-practice data, as published.

One module per dataset: :mod:`~sim.nhsdata.patients` (Patients Registered at a GP Practice and the
practice map), :mod:`~sim.nhsdata.workforce` (General Practice Workforce, practice-level Detailed
CSV), :mod:`~sim.nhsdata.epcn` (the ODS ePCN workbook) and :mod:`~sim.nhsdata.appointments`
(Appointments in General Practice). Each reader checks the published schema and raises
:class:`DataFormatError` naming file, row and column; rows it leaves out are counted in the
:class:`ExclusionReport` returned by :func:`report_of`. All of these data are published under the
Open Government Licence v3.0.
"""

from sim.nhsdata.errors import DataFormatError, ExclusionReport, report_of

__all__ = ["DataFormatError", "ExclusionReport", "report_of"]
