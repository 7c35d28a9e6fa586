"""What measurements become: result files, the published tables, and the comparison of the two.

``store`` owns every file layout under a results folder; ``reference`` the published numbers;
``compare`` and ``gate`` judge measurements against papers and against a baseline.
"""
