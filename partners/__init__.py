"""Partners: enterprises (合作企业), partner accounts, joint party organizations, projects,
mentors."""
