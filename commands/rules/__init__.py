"""Rules shared by the decide functions; each raises `Refused` naming the field."""
