"""What the service does, one module per use case. web/ and cli/ call these; these call the
engine, labels, the transparency log and recalculation, and those call the store.

    submissions     calculate (preview), create and revise a submission; read what a user may
    review          comments and evidence files on a submission
    actions         submit, verify, approve (issuing the label), return
    issuing         sign, store and log a label; re-issue one from a recalculated result
    revoking        revoke a label with a public reason
    labels          read labels: status, published names, claims, supersession chain
    scanning        check a scanned label: signature, record, inclusion proof, status
    transparency    signed checkpoints, proofs, and the monitor of the log
    recalculation   move stored footprints to new factor data, re-issuing changed labels
    organisations   organisations: found as people name them, made, corrected
    users           users and passwords; throttled log-ins, (de)activation
    tokens          API tokens: made, listed with their last use, presented, revoked
    security        sessions held on the server, throttling, security events
    database        open, migrate and copy the service database
    backup          back a platform up: the database online, keys and secret key encrypted
    restore         restore a backup into an empty home, proving it works first
    demo            seed the demonstration data through the use cases above
    pact            the PACT v3 host: clients, tokens, labels as ProductFootprints, events

Every function takes the database connection first and, where someone acts, that ``user``;
rules are checked before anything is written, and every write runs in one transaction.
"""
