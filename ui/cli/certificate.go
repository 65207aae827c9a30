package cli

import (
	"context"
	"fmt"

	"github.com/tppwizard/tppwizard/app"
	"github.com/tppwizard/tppwizard/core/text"
	"github.com/tppwizard/tppwizard/ui/i18n"
)

// certificateCmd uploads the QSEAL certificate to banks that take it through
// their API (seed 000's POST .../tpp/certificates).
func certificateCmd(ctx context.Context, args []string, env Env) error {
	if len(args) == 0 || args[0] != "upload" {
		return usage(text.F("certificate needs the sub-command upload"))
	}
	fs := newFlags("certificate upload", env, "certificate upload --profile ID --identity NAME [--name LABEL] [--endpoint URL] [--ca-file F]")
	var req app.RegisterRequest
	fs.StringVar(&req.ProfileID, "profile", "", i18n.T("bank profile id"))
	fs.StringVar(&req.IdentityName, "identity", "", i18n.T("identity whose signing (QSEAL) certificate is sent"))
	fs.StringVar(&req.Endpoint, "endpoint", "", i18n.T("certificate endpoint, overriding the profile"))
	fs.StringVar(&req.CAFile, "ca-file", "", i18n.T("extra CA certificate to trust for this bank only"))
	name := fs.String("name", "", i18n.T("label for the certificate at the bank (default: its common name)"))
	if err := parse(fs, args[1:]); err != nil {
		return err
	}
	if req.ProfileID == "" || req.IdentityName == "" {
		return usage(text.F("certificate upload needs --profile and --identity"))
	}
	a := env.NewApp()
	warnKeyring(a, env)
	status, err := a.UploadCertificate(ctx, req, *name)
	if err != nil {
		return err
	}
	fmt.Fprint(env.Stdout, i18n.T("The bank accepted the certificate (HTTP %d). It confirms by e-mail to your representative.\n", status))
	return nil
}
