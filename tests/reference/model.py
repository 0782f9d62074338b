# An independent, deliberately plain reference of the model (textbook forms of every equation,
# no shared code with the Rust crate) used to cross-check scalecast's CSV outputs.
# Usage: python3 model.py SCENARIO.toml OUTPUT_FOLDER  -> exit 1 on any mismatch beyond 1e-9.
import math, sys, csv, tomllib
LAWS={"epoch":(1.8172,482.01,2085.43,0.3478,0.3658),"chinchilla":(1.69,406.4,410.7,0.34,0.28)}
def med(v):
    if not isinstance(v,dict): return v
    d=v["dist"]
    if d=="fixed": x=v["value"]
    elif d=="normal": x=v["mean"] if "mean" in v else (v["p5"]+v["p95"])/2
    elif d=="lognormal": x=v["median"] if "median" in v else math.sqrt(v["p5"])*math.sqrt(v["p95"])
    elif d=="uniform": x=(v["low"]+v["high"])/2
    elif d=="loguniform": x=math.sqrt(v["low"])*math.sqrt(v["high"])
    elif d=="triangular":
        lo,mo,hi=v["low"],v["mode"],v["high"]
        x=lo+math.sqrt((hi-lo)*(mo-lo)/2) if mo>=(lo+hi)/2 else hi-math.sqrt((hi-lo)*(hi-mo)/2)
    if "min" in v: x=max(x,v["min"])
    if "max" in v: x=min(x,v["max"])
    return x
def traj(v,t,t0):
    if v is None: return None
    if isinstance(v,dict) and "dist" not in v:
        if "points" in v:
            p=[(med(a),med(b)) for a,b in v["points"]]
            if t<=p[0][0]: return p[0][1]
            if t>=p[-1][0]: return p[-1][1]
            for (y0,v0),(y1,v1) in zip(p,p[1:]):
                if y0<=t<=y1:
                    if t==y0: return v0
                    w=(t-y0)/(y1-y0); return 10**(math.log10(v0)+(math.log10(v1)-math.log10(v0))*w)
        s=med(v["start"]); g=med(v.get("growth",1.0)); f=med(v.get("from",t0)); u=med(v.get("until",math.inf))
        return s*g**(min(max(t,f),u)-f)
    return med(v)
def sig(x): return 1/(1+math.exp(-x)) if x>=0 else math.exp(x)/(1+math.exp(x))
def whole(v): return isinstance(v,dict) and ("dist" in v or "points" in v)
def merge(base,own):
    # tables merge key by key, unless either side is a distribution or a points trajectory
    if not isinstance(base,dict) or not isinstance(own,dict) or whole(base) or whole(own): return own
    out=dict(base)
    for k,v in own.items(): out[k]=merge(base[k],v) if k in base else v
    return out
def load(path):
    # [scenario] base: the named file's keys, with this file's over them (README, "Base files")
    import os
    c=tomllib.load(open(path,"rb"))
    name=c.get("scenario",{}).pop("base",None)
    if name is None: return c
    b=load(os.path.join(os.path.dirname(path),name))
    b.get("scenario",{}).pop("name",None); b.get("scenario",{}).pop("description",None)
    out={}
    for k in list(b)+[k for k in c if k not in b]:
        if k not in c: out[k]=b[k]
        elif k not in b: out[k]=c[k]
        elif k=="domain":
            doms=[dict(d) for d in b[k]]
            for d in c[k]:
                same=[i for i,e in enumerate(doms) if e.get("name")==d.get("name")]
                if same: doms[same[0]]=merge(doms[same[0]],d)
                else: doms.append(d)
            out[k]=doms
        elif k in ("milestone","correlation","observation"): out[k]=b[k]+c[k]
        else: out[k]=merge(b[k],c[k])
    return out
def main(path):
    c=load(path)
    tm=c.get("time",{}); st=tm.get("start",2024.0); en=tm.get("end",2035.0); sp=tm.get("step",0.25)
    n=math.floor((en-st)/sp+1e-9)
    pre=c["pretraining"]; law=pre.get("law","epoch")
    E,A,B,al,be=LAWS[law] if isinstance(law,str) else tuple(med(law[k]) for k in "E A B alpha beta".split())
    rl=c.get("rl",{}); er=c.get("erosion",{}); inf_=c.get("inference",{}); ce=inf_.get("ceiling",{}); cost=c.get("cost",{})
    g=lambda d,k,dv: med(d.get(k,dv))
    x=g(rl,"transfer",0.0); smid=g(rl,"midpoint_steps",5000.0); brl=g(rl,"exponent",1.5); mg=g(rl,"max_gain",2.0); gpo=g(rl,"gain_per_oom",0.0); ref=g(rl,"reference_log10_compute",26.0); tps=g(rl,"tokens_per_step",1e7)
    rate=g(er,"rate",0.0); onset=g(er,"onset_steps",1e4); se=g(er,"size_exponent",0.0); nref=g(er,"reference_params",1e12); pw=g(er,"power",1.0)
    bg=g(inf_,"base_gain",0.1); rg=g(inf_,"rl_gain",0.2); T0=g(inf_,"reference_tokens",100.0); ans=g(inf_,"answer_tokens",500.0)
    cb=g(ce,"base",1000.0); crs=g(ce,"rl_scale_steps",1000.0); cre=g(ce,"rl_exponent",0.5); cmax=g(ce,"max",math.inf); k=g(ce,"sharpness",4.0); ov=g(ce,"overthinking",0.0)
    gam=al*be/(al+be); G=(al*A/(be*B))**(1/(al+be)); K=A/G**al+B*G**be
    levers=[]; caps=[]
    for kk in range(n+1):
        t=st+kk*sp
        if "compute" in pre:
            r=med(pre.get("tokens_per_param",20.0)); C=traj(pre["compute"],t,st); N=math.sqrt(C/(6*r)); D=r*N
        else: N=traj(pre["params"],t,st); D=traj(pre["tokens"],t,st)
        eff=traj(pre.get("efficiency",1.0),t,st)
        R=A/N**al+B/D**be; u=math.log10(6)+math.log10(K/R)/gam+math.log10(eff)
        if "compute_fraction" in rl: S=0.75*traj(rl["compute_fraction"],t,st)*D/tps
        else: S=traj(rl.get("steps",0.0),t,st)
        h=1/(1+(smid/S)**brl) if S>0 else 0.0
        T=traj(inf_.get("tokens",0.0),t,st)
        price=traj(cost.get("usd_per_eflop",{"start":1.0,"growth":0.76}),t,st)
        pf=6*N*D; rf=8*N*tps*S; fq=2*N*(T+ans)
        levers.append((t,N,D,E+R,u,S,h,T,pf,rf,fq,pf/1e18*price,rf/1e18*price,fq/1e18*price))
        for d in c["domain"]:
            v=med(d["verifiability"]); s=med(d["slope"]); b=med(d["difficulty"]); fl=med(d.get("floor",0.0))
            tau=v+(1-v)*x; Gm=max(0.0,mg+gpo*(u-ref)); rlt=tau*Gm*h
            ero=0.0 if S<=onset else (1-v)*rate*(nref/N)**se*max(0.0,math.log10(S/onset))**pw
            kap=bg+rg*tau*h
            off=cb==math.inf
            Tc=math.inf if off else min(cb*(1+max(tau,0)*S/crs)**cre,cmax)
            def teff(T):
                if T==0: return 0.0
                if Tc==math.inf: return T
                if k==math.inf: return min(T,Tc)
                return (T**-k+Tc**-k)**(-1/k)
            def over(T):
                if T==0 or off or ov==0: return 0.0
                return ov*max(0.0,math.log2(T/Tc))
            def inf_term(T): return kap*math.log2(1+teff(T)/T0)-over(T)
            it=inf_term(T)
            if T==0 or kap<=0: m=math.inf
            elif ov==0 or off:
                tt=(T0+teff(T))*2**(s/kap)-T0
                if Tc==math.inf: m=tt/T
                elif (k==math.inf and tt<=Tc) : m=tt/T
                elif k!=math.inf and tt<Tc: m=tt*(1-(tt/Tc)**k)**(-1/k)/T
                else: m=math.inf
            else:
                m=math.inf; prev=1.0
                for j in range(12801):
                    mm=2**(j/64)
                    if inf_term(mm*T)-it>=s:
                        lo,hi=prev,mm
                        while hi-lo>1e-12*hi:
                            mid=(lo+hi)/2
                            if inf_term(mid*T)-it>=s: hi=mid
                            else: lo=mid
                        m=hi if j>0 else mm; break
                    prev=mm
            pt=s*(u-b); lg=pt+rlt-ero+it
            caps.append((t,d["name"],fl+(1-fl)*sig(lg),lg,pt,rlt,ero,it,Tc,teff(T),m))
    return levers,caps
def close(a,b):
    if math.isinf(a) or math.isinf(b): return a==b
    return abs(a-b)<=1e-9*max(1,abs(b))
if __name__=="__main__":
    scen,outdir=sys.argv[1],sys.argv[2]
    levers,caps=main(scen)
    got=list(csv.reader(open(outdir+"/capabilities.csv")))[1:]
    bad=0
    for row,want in zip(got,caps):
        vals=[float(x) for x in row[3:]]
        for name,a,b in zip("capability logit pretrain rl erosion inference ceiling teff mult".split(),vals,want[2:]):
            if not close(a,b):
                bad+=1
                if bad<10: print("MISMATCH",row[1],row[2],name,a,b)
    gl=list(csv.reader(open(outdir+"/levers.csv")))[1:]
    for row,want in zip(gl,levers):
        for i,(a,b) in enumerate(zip([float(x) for x in row[1:]],want)):
            if not close(a,b):
                bad+=1
                if bad<20: print("LEVER MISMATCH",row[1],i,a,b)
    print(f"{len(got)} capability rows, {len(gl)} lever rows, {bad} mismatches")
    if bad or len(got) != len(caps) or len(gl) != len(levers):
        sys.exit(1)
