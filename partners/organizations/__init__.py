"""Enterprises and their party organizations (合作企业与党组织): enterprises, joint party
organizations (联合党组织) with member units, members, committee seats and the co-building
agreement, their activities with attendance, work plans, and the annual report."""
