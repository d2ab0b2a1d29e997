"""Pages of enterprises and their party organizations, one module per resource: enterprises;
a joint organization (organizations) and its parts — member units (units), members, committee
seats (seats), the co-building agreement (agreements); activities; work plans; the annual
report (reports)."""
