"""SFCC simulator: Account Manager, SCAPI Orders Admin and OCAPI notes, as its own process."""
