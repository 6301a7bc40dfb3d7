"""Legal guidance: provisions of the law per country, versioned and sourced."""
