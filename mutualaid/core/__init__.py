"""Shared pieces every app uses and that know no app: the service errors (`errors`) and the checks services make of
what people send (`validators`), each written once."""
